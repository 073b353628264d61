// Messages: what each kind of value becomes on the way (codec.ts), tags, selective receive,
// timeouts and requests.
// expect-stdout: order: first second third
// expect-stdout: selective: tag 7 then tag 5 then untagged
// expect-stdout: timeout: timed out, then data
// expect-stdout: classes: Ann 36 \[a,b\] \{x\} null 2.5/1
// expect-stdout: typed: 1,2,255 bytes 3 nested 1,2\|3
// expect-stdout: request: 42 answered 43
// expect-stdout: plain classes: job build by me, 3 steps \[fetch\+make\+test\] inner 7/seven, base 77, box a\|b
// expect-stdout: done
import { Mailbox, MessageKind, Process, Reader, Writer, println } from "lunatic-as";
import { check } from "./check";

class Plain { a: f64 = 0; b: i64 = 0; }

class Person {
  name: string = "";
  age: u32 = 0;
  tags: string[] = [];
  note: string | null = null;
  missing: string | null = null;
  plain: Plain = new Plain();

  serialize(w: Writer): void {
    w.write<string>(this.name);
    w.write<u32>(this.age);
    w.write<string[]>(this.tags);
    w.write<string | null>(this.note);
    w.write<string | null>(this.missing);
    w.write<Plain>(this.plain);
  }

  deserialize(r: Reader): void {
    this.name = r.read<string>();
    this.age = r.read<u32>();
    this.tags = r.read<string[]>();
    this.note = r.read<string | null>();
    this.missing = r.read<string | null>();
    this.plain = r.read<Plain>();
  }
}

// Plain classes, with references among their fields and no methods of their own: the
// package's transform (transform.js) writes their encoding.
class Base { id: u64 = 0; }
class Inner { n: i32 = 0; text: string = ""; }
class Job extends Base {
  name: string = "";
  steps: string[] = [];
  inner: Inner = new Inner();
  static ignored: i32 = 3;
  constructor(readonly owner: string, public count: i32) { super(); }
}
class Box<T> { constructor(public item: T) {} }

class Request {
  value: i32 = 0;
  from: u64 = 0;
}

function answerer(_: i32): void {
  const mailbox = new Mailbox<Request>();
  const m = mailbox.receive();
  const request = m.value;
  new Process<i32>(request.from).send(request.value + 1, m.tag);
}

export function _start(): void {
  const self = Process.self<string>();
  const strings = new Mailbox<string>();

  self.send("first");
  self.send("second");
  self.send("third");
  println("order: " + strings.next() + " " + strings.next() + " " + strings.next());

  self.send("untagged");
  self.send("five", 5);
  self.send("seven", 7);
  const a = strings.receiveTagged([7]);
  const b = strings.receiveTagged([5, 9]);
  const c = strings.receive();
  check(a.tag == 7 && a.value == "seven", "tag 7 gave " + a.value);
  check(b.tag == 5 && b.value == "five", "tags [5, 9] gave " + b.value);
  check(c.tag == 0 && c.value == "untagged", "the rest gave " + c.value);
  const none = strings.receiveTagged([11], 0);
  check(none.kind == MessageKind.TimedOut, "a tag nobody sent was received");
  println("selective: tag " + a.tag.toString() + " then tag " + b.tag.toString() + " then untagged");

  const t = strings.receive(20);
  check(t.timedOut && !t.isData, "an empty mailbox gave a message");
  self.sendAfter("late", 10);
  const late = strings.receive(5000);
  println("timeout: " + (t.timedOut ? "timed out" : "data") + ", then " + (late.isData ? "data" : "nothing"));

  const person = new Person();
  person.name = "Ann";
  person.age = 36;
  person.tags = ["a", "b"];
  person.note = "{x}";
  person.plain.a = 2.5;
  person.plain.b = 1;
  Process.self<Person>().send(person);
  const got = new Mailbox<Person>().next();
  const missing = got.missing;
  println("classes: " + got.name + " " + got.age.toString() + " [" + got.tags.join(",") + "] " + got.note! + " " +
          (missing === null ? "null" : missing) + " " + got.plain.a.toString() + "/" + got.plain.b.toString());

  const bytes = new Uint8Array(3);
  bytes[0] = 1; bytes[1] = 2; bytes[2] = 255;
  Process.self<Uint8Array>().send(bytes);
  const back = new Mailbox<Uint8Array>().next();
  const buffer = new ArrayBuffer(3);
  Process.self<ArrayBuffer>().send(buffer);
  const bufferBack = new Mailbox<ArrayBuffer>().next();
  const nested: i32[][] = [[1, 2], [3]];
  Process.self<i32[][]>().send(nested);
  const nestedBack = new Mailbox<i32[][]>().next();
  println("typed: " + back.join(",") + " bytes " + bufferBack.byteLength.toString() + " nested " +
          nestedBack[0].join(",") + "|" + nestedBack[1].join(","));

  // request: the reply is the first message tagged 99 after the request; one queued before
  // with that tag is not taken for it.
  Process.self<i32>().send(-1, 99);
  const server = Process.spawn<i32, Request>(0, answerer).unwrap();
  const request = new Request();
  request.value = 42;
  request.from = self.id;
  const answer = server.request<i32>(request, 99, 5000);
  check(answer.isOk && answer.unwrap() == 43, "request gave " + (answer.isOk ? answer.unwrap().toString() : answer.error));
  println("request: 42 answered " + answer.unwrapOr(0).toString());
  const early = new Mailbox<i32>().receiveTagged([99], 0);
  check(early.isData && early.value == -1, "the message queued before the request was lost");

  const job = new Job("me", 3);
  job.id = 77;
  job.name = "build";
  job.steps = ["fetch", "make", "test"];
  job.inner.n = 7;
  job.inner.text = "seven";
  Process.self<Job>().send(job);
  const j = new Mailbox<Job>().next();
  Process.self<Box<string[]>>().send(new Box<string[]>(["a", "b"]));
  const box = new Mailbox<Box<string[]>>().next();
  println("plain classes: job " + j.name + " by " + j.owner + ", " + j.count.toString() + " steps [" + j.steps.join("+") +
          "] inner " + j.inner.n.toString() + "/" + j.inner.text + ", base " + j.id.toString() + ", box " + box.item.join("|"));
  println("done");
}
