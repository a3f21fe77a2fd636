/**
 * The outcome of an operation whose failure is expected, as a value:
 * `{ ok: true, ...T }` or `{ ok: false, ...E }`. Exceptions stay for bugs and
 * misuse. `T` and `E` are the fields each side carries.
 */
export type Result<T extends object = object, E extends object = { message: string }> = ({ ok: true } & T) | ({ ok: false } & E);

/** The failing side of a {@link Result}. */
export type Failure<R> = Extract<R, { ok: false }>;
