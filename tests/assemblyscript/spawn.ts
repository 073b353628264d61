// Spawning with typed start values, and the AssemblyScript runtime in spawned processes: each
// spawned function allocates, collects garbage and sees the module's globals initialised
// (the Wasm start function runs in every process; no --exportStart).
// expect-stdout: i32 -7
// expect-stdout: u64 18446744073709551615
// expect-stdout: f64 2.5
// expect-stdout: f32 -0.25
// expect-stdout: bool true
// expect-stdout: string héllo, wörld
// expect-stdout: array 1,2,3
// expect-stdout: strings a,bb,ccc
// expect-stdout: point 3,4.5
// expect-stdout: garbage collected in 20 processes: ok
// expect-stdout: global in child: computed 42, answer 42
import { Mailbox, Process, println } from "lunatic-as";
import { check } from "./check";

class Point { x: i32 = 0; y: f64 = 0; }

// Initialised by the start function, in every process.
const computed = "computed " + (6 * 7).toString();
const table = new Map<string, i32>();
table.set("answer", 42);

function reportI32(v: i32): void { println("i32 " + v.toString()); }
function reportU64(v: u64): void { println("u64 " + v.toString()); }
function reportF64(v: f64): void { println("f64 " + v.toString()); }
function reportF32(v: f32): void { println("f32 " + v.toString()); }
function reportBool(v: bool): void { println("bool " + (v ? "true" : "false")); }
function reportString(v: string): void { println("string " + v); }
function reportArray(v: i32[]): void { println("array " + v.join(",")); }
function reportStrings(v: string[]): void { println("strings " + v.join(",")); }
function reportPoint(p: Point): void { println("point " + p.x.toString() + "," + p.y.toString()); }

/** Allocates far more than the heap's first threshold, keeping a little, and collects. */
function churn(parent: u64): void {
  let kept = new Array<string>();
  for (let i = 0; i < 20000; i++) {
    const s = "garbage " + i.toString();
    if (i % 1000 == 0) kept.push(s);
  }
  __collect();
  const ok = kept.length == 20 && kept[19] == "garbage 19000";
  new Process<bool>(parent).send(ok);
}

function globals(parent: u64): void {
  new Process<string>(parent).send(computed + ", answer " + table.get("answer").toString());
}

/** Runs `body(arg)` in a new process and waits for it to end. */
function runAndWait<A>(arg: A, body: (arg: A) => void): void {
  const child = Process.spawn<A, i32>(arg, body).unwrap();
  child.monitor();
  const mailbox = new Mailbox<i32>();
  while (true) {
    const m = mailbox.receive();
    if (m.processId == child.id) return;
  }
}

export function _start(): void {
  runAndWait<i32>(-7, reportI32);
  runAndWait<u64>(u64.MAX_VALUE, reportU64);
  runAndWait<f64>(2.5, reportF64);
  runAndWait<f32>(-0.25, reportF32);
  runAndWait<bool>(true, reportBool);
  runAndWait<string>("héllo, wörld", reportString);
  runAndWait<i32[]>([1, 2, 3], reportArray);
  runAndWait<string[]>(["a", "bb", "ccc"], reportStrings);
  const p = new Point();
  p.x = 3;
  p.y = 4.5;
  runAndWait<Point>(p, reportPoint);

  const self = Process.self<bool>().id;
  for (let i = 0; i < 20; i++) Process.spawn<u64, i32>(self, churn).unwrap();
  const results = new Mailbox<bool>();
  let good = 0;
  for (let i = 0; i < 20; i++) if (results.next()) good++;
  check(good == 20, "only " + good.toString() + " of 20 children kept their data through GC");
  println("garbage collected in 20 processes: " + (good == 20 ? "ok" : "broken"));

  Process.spawn<u64, i32>(Process.self<string>().id, globals).unwrap();
  println("global in child: " + new Mailbox<string>().next());
}
