import { direction, formatPercent } from "../lib/decimal";

/** A signed percentage, green when up and red when down. */
export function Change({ value, label }: { value: string | null | undefined; label?: string }) {
  const dir = direction(value);
  const tone = dir > 0 ? "up" : dir < 0 ? "down" : "flat";
  return (
    <span className={`num change ${tone}`} aria-label={label ? `${label} ${formatPercent(value)}` : undefined}>
      {dir > 0 ? "▲ " : dir < 0 ? "▼ " : ""}
      {formatPercent(value, { sign: false }).replace(/^-/, "")}
    </span>
  );
}
