interface Option<T extends string> {
  value: T;
  label: string;
  /** An extra class for this option (the ticket's buy and sell colours). */
  tone?: string;
}

interface Props<T extends string> {
  label: string;
  value: T;
  options: ReadonlyArray<Option<T>>;
  onChange: (value: T) => void;
  /** Across the whole width of its container, as in the order ticket. */
  wide?: boolean;
}

/** A row of buttons of which one is chosen: a switch between a few values. */
export function Segmented<T extends string>({ label, value, options, onChange, wide = false }: Props<T>) {
  return (
    <div className={wide ? "segmented wide" : "segmented"} role="group" aria-label={label}>
      {options.map((option) => (
        <button
          key={option.value}
          type="button"
          className={[option.value === value ? "active" : "", option.tone ?? ""].filter(Boolean).join(" ")}
          aria-pressed={option.value === value}
          onClick={() => onChange(option.value)}
        >
          {option.label}
        </button>
      ))}
    </div>
  );
}
