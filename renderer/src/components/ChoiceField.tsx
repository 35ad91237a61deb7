/** A labelled choice among a few fixed values (a search's or a match's unit, and the like). */
export function ChoiceField<T extends string>(p: { label: string; value: T; options: readonly (readonly [T, string])[]; onChange: (v: T) => void; testId: string }): React.JSX.Element {
  return (
    <label className="field">{p.label}
      <select value={p.value} onChange={(e) => p.onChange(p.options.find(([v]) => v === e.target.value)?.[0] ?? p.value)} data-testid={p.testId}>
        {p.options.map(([v, text]) => <option key={v} value={v}>{text}</option>)}
      </select>
    </label>
  );
}
