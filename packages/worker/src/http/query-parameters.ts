/** A whole-number query parameter in `[min, max]`, `fallback` when absent, undefined when it is anything else. */
export function integerParameter(value: unknown, fallback: number, min: number, max: number): number | undefined {
  if (value === undefined) return fallback;
  if (typeof value !== 'string' || !/^\d{1,10}$/.test(value)) return undefined;
  const number = Number(value);
  return number >= min && number <= max ? number : undefined;
}
