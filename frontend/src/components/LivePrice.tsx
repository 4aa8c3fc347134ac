import { useEffect, useRef, useState } from "react";
import { formatPrice, toBig } from "../lib/decimal";

interface Props {
  value: string | null | undefined;
  format?: (value: string | null | undefined) => string;
  className?: string;
  testId?: string;
}

/** A price that flashes green or red for a moment when a tick moves it. */
export function LivePrice({ value, format = formatPrice, className = "", testId }: Props) {
  const previous = useRef(value);
  const [flash, setFlash] = useState<{ tone: "up" | "down"; key: number } | null>(null);

  useEffect(() => {
    const before = toBig(previous.current ?? null);
    const after = toBig(value ?? null);
    previous.current = value;
    if (!before || !after || before.eq(after)) return;
    setFlash((current) => ({ tone: after.gt(before) ? "up" : "down", key: (current?.key ?? 0) + 1 }));
    const timer = setTimeout(() => setFlash(null), 900);
    return () => clearTimeout(timer);
  }, [value]);

  return (
    <span
      key={flash?.key ?? 0}
      className={`num live-price ${flash ? `flash-${flash.tone}` : ""} ${className}`.trim()}
      data-testid={testId}
      data-value={value ?? ""}
    >
      {format(value)}
    </span>
  );
}
