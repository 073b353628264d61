// What the tests share: a check that prints "FAIL: ..." (run_guest_test.py fails the test on
// any such line) and goes on, so that one run reports every broken check.
import { println } from "lunatic-as";

export function check(condition: bool, what: string): void {
  if (!condition) println("FAIL: " + what);
}
