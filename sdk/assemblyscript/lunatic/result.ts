// Result<T>: a value or the text of what went wrong, for calls that can fail in ways a program
// is expected to handle (a refused connection, a spawn the config forbids). AssemblyScript has
// no exceptions to catch, so failures come back as values; unwrap() ends the process with the
// error's text when the program has nothing better to do with it.
import * as host from "./host";

export class Result<T> {
  private constructor(private readonly _ok: bool, private readonly _value: T, private readonly _error: string) {}

  static ok<T>(value: T): Result<T> {
    return new Result<T>(true, value, "");
  }

  static err<T>(error: string): Result<T> {
    return new Result<T>(false, zero<T>(), error);
  }

  get isOk(): bool { return this._ok; }
  get isErr(): bool { return !this._ok; }

  /** The error's text; "" for a success. */
  get error(): string { return this._error; }

  /** The value; fails the process, saying why, if this is an error. */
  unwrap(): T {
    if (!this._ok) abort(this._error);
    return this._value;
  }

  /** The value, or `fallback` if this is an error. */
  unwrapOr(fallback: T): T {
    return this._ok ? this._value : fallback;
  }

  /** The value, or `what: error` ends the process. */
  expect(what: string): T {
    if (!this._ok) abort(what + ": " + this._error);
    return this._value;
  }
}

/** A value of T that stands for none: 0, or a null reference that nothing dereferences. */
// @ts-ignore: decorator
@inline export function zero<T>(): T {
  if (isReference<T>()) return changetype<T>(0);
  else return <T>0;
}

/** The text of error id `id`, which it then frees (lunatic::error). */
export function takeError(id: u64): string {
  const size = host.error_string_size(id);
  const bytes = new ArrayBuffer(<i32>size);
  host.error_to_string(id, changetype<usize>(bytes));
  host.error_drop(id);
  return String.UTF8.decode(bytes);
}

/** The status codes of lunatic's calls that write an id or an error id (docs/abi.md). */
export const enum Status {
  Ok = 0,
  Error = 1,
  TimedOut = 9027,
}

/** The Result of a call that wrote an id or an error id to `slot`; "timed out" for 9027. */
export function resultOf(status: u32, slot: usize): Result<u64> {
  if (status == Status.Ok) return Result.ok<u64>(load<u64>(slot));
  if (status == Status.TimedOut) return Result.err<u64>("timed out");
  return Result.err<u64>(takeError(load<u64>(slot)));
}
