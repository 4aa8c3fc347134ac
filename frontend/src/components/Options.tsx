/** A select's options: each value with its label. */
export function Options({ items }: { items: ReadonlyArray<{ value: string; label: string }> }) {
  return (
    <>
      {items.map((item) => (
        <option key={item.value} value={item.value}>
          {item.label}
        </option>
      ))}
    </>
  );
}
