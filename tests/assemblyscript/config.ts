// Configurations: permissions, memory and fuel limits, and what a child sees through WASI
// (arguments, environment, a preopened directory).
// expect-stdout: defaults: spawn false, compile false, configs false
// expect-stdout: no spawning: spawn refused
// expect-stdout: memory limit 65536: allocation failed the child
// expect-stdout: fuel limit: the spinning child failed
// expect-stdout: child sees: args child,one env VALUE file hello from the parent
// expect-stderr+: lunatic: process \d+ failed: .*
import { Config, Mailbox, MessageKind, Process, SpawnOptions, args, env, println, readTextFile, writeTextFile } from "lunatic-as";
import { check } from "./check";

function trySpawn(parent: u64): void {
  const inner = Process.spawn<i32, i32>(0, idle);
  new Process<string>(parent).send(inner.isErr ? "spawn refused" : "spawn allowed");
}

function idle(_: i32): void {}

function hog(_: i32): void {
  const blocks = new Array<ArrayBuffer>();
  for (let i = 0; i < 100; i++) blocks.push(new ArrayBuffer(65536));
}

function spin(_: i32): void {
  let x: u64 = 1;
  while (x != 0) x = x * 6364136223846793005 + 1442695040888963407;
}

function look(parent: u64): void {
  const value = env("SETTING");
  const file = readTextFile("/sandbox/note.txt");
  new Process<string>(parent).send("args " + args().join(",") + " env " + (value !== null ? value : "none") +
                                   " file " + file.unwrapOr("unreadable").trim());
}

function ended(child: Process<i32>): MessageKind {
  child.monitor();
  const m = new Mailbox<i32>().receive(10000);
  return m.kind;
}

function withConfig(config: Config): SpawnOptions {
  const options = new SpawnOptions();
  options.config = config;
  return options;
}

export function _start(): void {
  const self = Process.self<string>();
  const strings = new Mailbox<string>();

  const plain = Config.create().unwrap();
  println("defaults: spawn " + plain.canSpawnProcesses.toString() + ", compile " + plain.canCompileModules.toString() +
          ", configs " + plain.canCreateConfigs.toString());
  Process.spawn<u64, i32>(self.id, trySpawn, withConfig(plain)).unwrap();
  println("no spawning: " + strings.next());

  const small = Config.create().unwrap();
  small.maxMemory = 65536;
  check(small.maxMemory == 65536, "maxMemory did not stick");
  const hogged = Process.spawn<i32, i32>(0, hog, withConfig(small));
  check(hogged.isOk, "spawn under a memory limit failed: " + hogged.error);
  check(ended(hogged.unwrap()) == MessageKind.ProcessDied, "the hog did not end");
  println("memory limit " + small.maxMemory.toString() + ": allocation failed the child");

  const fuel = Config.create().unwrap();
  fuel.maxFuel = 10;
  check(fuel.maxFuel == 10, "maxFuel did not stick");
  check(ended(Process.spawn<i32, i32>(0, spin, withConfig(fuel)).unwrap()) == MessageKind.ProcessDied, "spin did not end");
  println("fuel limit: the spinning child failed");

  check(writeTextFile("/sandbox/shared/note.txt", "hello from the parent\n").isErr, "wrote into a missing directory");
  const made = Config.create().unwrap();
  made.addArgument("child").addArgument("one").addEnvironmentVariable("SETTING", "VALUE");
  check(writeTextFile("/sandbox/note.txt", "x").isOk, "cannot write to /sandbox");
  made.preopenDirectory("/sandbox");
  check(writeTextFile("/sandbox/note.txt", "hello from the parent\n").isOk, "cannot write the note");
  Process.spawn<u64, i32>(self.id, look, withConfig(made)).unwrap();
  println("child sees: " + strings.next());
}
