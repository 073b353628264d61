// Shared by the AssemblyScript versions of the process benchmarks (../README.md): timing,
// arguments and the RESULT line, as ../lunatic/bench.h does for the C versions.
import { args, monotonicNanos, println } from "lunatic-as";

export function seconds(): f64 {
  return <f64>monotonicNanos() / 1e9;
}

/** The `index`th command-line argument as a number, or `fallback`. */
export function argument(index: i32, fallback: i64): i64 {
  const list = args();
  return list.length > index ? I64.parseInt(list[index]) : fallback;
}

export function result(name: string, elapsed: f64, checksum: i64, extra: string = ""): void {
  println("RESULT " + name + " " + elapsed.toString() + " " + checksum.toString() + (extra.length ? " " + extra : ""));
}
