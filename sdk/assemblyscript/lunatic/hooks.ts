// What the AssemblyScript runtime would import from "env" (abort, trace, seed), done with
// lunatic's and WASI's calls instead: asconfig.json's "use" aliases them here.
import { eprintln, randomBytes } from "./io";

/** abort(): says where on standard error and fails the process (a trap, which links and
 *  monitors see and catchTrap catches). */
// @ts-ignore: decorator
@global export function __lunatic_abort(message: string | null = null, file: string | null = null, line: u32 = 0, column: u32 = 0): void {
  let text = "abort: ";
  text += message !== null ? message : "(no message)";
  if (file !== null) text += " at " + file + ":" + line.toString() + ":" + column.toString();
  eprintln(text);
  unreachable();
}

/** Math.random's seed, from the host. */
// @ts-ignore: decorator
@global export function __lunatic_seed(): f64 {
  const bytes = randomBytes(8);
  return <f64>load<u64>(bytes.dataStart);
}

/** trace(): a line on standard error. */
// @ts-ignore: decorator
@global export function __lunatic_trace(message: string, n: i32 = 0, a0: f64 = 0, a1: f64 = 0, a2: f64 = 0, a3: f64 = 0, a4: f64 = 0): void {
  let text = "trace: " + message;
  const values = [a0, a1, a2, a3, a4];
  for (let i = 0; i < n && i < 5; i++) text += (i ? ", " : " ") + values[i].toString();
  eprintln(text);
}
