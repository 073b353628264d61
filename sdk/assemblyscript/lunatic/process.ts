// Processes, their mailboxes, configurations, timers and the registry (lunatic::process,
// lunatic::message, lunatic::timer, lunatic::registry; docs/abi.md).
//
// A spawned process runs a fresh instance of the module: the Wasm start function runs first
// (AssemblyScript compiles its runtime set-up and the top-level statements of every file into
// it, as asconfig.json asks: no --exportStart), then the export `__lunatic_spawn` (exports.ts),
// which calls the function passed to `Process.spawn` with its start value. So a spawned
// function allocates, collects garbage and sees module-level globals initialised, as `_start`
// does in the first process.
import * as host from "./host";
import { Result, resultOf, zero } from "./result";
import { decode, encode, reader, writer } from "./codec";

/** "No timeout": wait for ever. */
export const FOREVER: u64 = u64.MAX_VALUE;

// The start value of a spawned process, when it is not a number, comes as its first message,
// with this tag (a tag no program picks by chance).
const START_TAG: i64 = 0x4C554E41_54494353;  // "LUNATICS"

const scratch = memory.data(32);
const startTag = memory.data<i64>([START_TAG]);

/** Puts `value`, encoded, in the message slot as a new data message tagged `tag`. */
function fillSlot<T>(value: T, tag: i64): void {
  host.create_data(tag, 0);
  if (isInteger<T>() || isFloat<T>()) {
    store<T>(scratch, value);
    host.write_data(scratch, sizeof<T>());
  } else {
    const w = writer();
    encode<T>(w, value);
    host.write_data(w.ptr, w.length);
  }
}

/** The value of the data message in the slot. */
function readSlot<T>(): T {
  if (isInteger<T>() || isFloat<T>()) {
    if (host.read_data(scratch, sizeof<T>()) != sizeof<T>()) abort("message shorter than its type: not the type it was sent as");
    return load<T>(scratch);
  }
  return decode<T>(reader());
}

/** What a process may do and use; a process spawned with one gets its limits. */
export class Config {
  private constructor(readonly id: u64) {}

  /** A new configuration: no permissions, no arguments, environment or directories, and no more
   *  than the caller has (docs/abi.md, "Configurations"). Fails if the caller may not create one. */
  static create(): Result<Config> {
    const id = host.create_config();
    if (id == FOREVER) return Result.err<Config>("this process may not create configurations");
    return Result.ok<Config>(new Config(id));
  }

  get maxMemory(): u64 { return host.config_get_max_memory(this.id); }
  set maxMemory(bytes: u64) { host.config_set_max_memory(this.id, bytes); }
  /** Fuel in units of about 100,000 instructions; 0 is no limit. */
  get maxFuel(): u64 { return host.config_get_max_fuel(this.id); }
  set maxFuel(units: u64) { host.config_set_max_fuel(this.id, units); }
  get canSpawnProcesses(): bool { return host.config_can_spawn_processes(this.id) != 0; }
  set canSpawnProcesses(flag: bool) { host.config_set_can_spawn_processes(this.id, flag); }
  get canCreateConfigs(): bool { return host.config_can_create_configs(this.id) != 0; }
  set canCreateConfigs(flag: bool) { host.config_set_can_create_configs(this.id, flag); }
  get canCompileModules(): bool { return host.config_can_compile_modules(this.id) != 0; }
  set canCompileModules(flag: bool) { host.config_set_can_compile_modules(this.id, flag); }
  // This runtime's extensions (docs/abi.md, "Extensions"): a module that uses them runs only
  // under lunaticc.
  /** May bind TCP and UDP sockets. */
  get canListen(): bool { return host.config_can_listen(this.id) != 0; }
  set canListen(flag: bool) { host.config_set_can_listen(this.id, flag); }
  /** May connect TCP and UDP sockets and send UDP datagrams anywhere. */
  get canConnect(): bool { return host.config_can_connect(this.id) != 0; }
  set canConnect(flag: bool) { host.config_set_can_connect(this.id, flag); }
  /** What the runtime may hold for the process (mailbox, resources, names), in bytes. */
  get maxHostMemory(): u64 { return host.config_get_max_host_memory(this.id); }
  set maxHostMemory(bytes: u64) { host.config_set_max_host_memory(this.id, bytes); }

  /** Adds a command-line argument; the first one is the child's argv[0]. */
  addArgument(arg: string): Config {
    const bytes = String.UTF8.encode(arg);
    host.config_add_command_line_argument(this.id, changetype<usize>(bytes), bytes.byteLength);
    return this;
  }

  addEnvironmentVariable(key: string, value: string): Config {
    const k = String.UTF8.encode(key);
    const v = String.UTF8.encode(value);
    host.config_add_environment_variable(this.id, changetype<usize>(k), k.byteLength, changetype<usize>(v), v.byteLength);
    return this;
  }

  /** Grants `dir`, a directory inside one of the caller's own. */
  preopenDirectory(dir: string): Config {
    const bytes = String.UTF8.encode(dir);
    host.config_preopen_dir(this.id, changetype<usize>(bytes), bytes.byteLength);
    return this;
  }

  drop(): void { host.drop_config(this.id); }
}

/** How a message arrived. */
export const enum MessageKind {
  /** A message a process sent. */
  Data = 0,
  /** A linked process failed (after `Process.dieWhenLinkDies(false)`); `tag` is the link's. */
  LinkDied = 1,
  /** A monitored process ended; `processId` names it. */
  ProcessDied = 2,
  /** Nothing arrived in time. */
  TimedOut = 9027,
}

/** A received message: data of type M, or news of a link or a monitored process. */
export class Received<M> {
  constructor(readonly kind: MessageKind, readonly tag: i64, readonly processId: u64, private readonly _value: M) {}

  get isData(): bool { return this.kind == MessageKind.Data; }
  get timedOut(): bool { return this.kind == MessageKind.TimedOut; }

  /** The data; fails the process if this is no data message. */
  get value(): M {
    if (this.kind != MessageKind.Data) abort("lunatic: the message received holds no data");
    return this._value;
  }
}

/** The calling process's mailbox, whose data messages are of type M. */
export class Mailbox<M> {
  /** The next message, of any tag; kind TimedOut after `timeout` milliseconds. */
  receive(timeout: u64 = FOREVER): Received<M> {
    return this.receiveFrom(0, 0, timeout);
  }

  /** The first message whose tag is one of `tags`; others stay queued. */
  receiveTagged(tags: i64[], timeout: u64 = FOREVER): Received<M> {
    return this.receiveFrom(tags.dataStart, tags.length, timeout);
  }

  /** The next data message's value: the simple case, for a process that monitors nothing and
   *  dies with its links. */
  next(): M {
    const kind = host.receive(0, 0, FOREVER);
    if (kind != MessageKind.Data) abort("lunatic: Mailbox.next received no data message");
    return readSlot<M>();
  }

  private receiveFrom(tags: usize, count: usize, timeout: u64): Received<M> {
    const kind = <MessageKind>host.receive(tags, count, timeout);
    if (kind == MessageKind.TimedOut) return new Received<M>(kind, 0, 0, zero<M>());
    const tag = host.get_tag();
    if (kind != MessageKind.Data) return new Received<M>(kind, tag, host.get_process_id(), zero<M>());
    return new Received<M>(kind, tag, 0, readSlot<M>());
  }
}

/** A pending `sendAfter`. */
export class Timer {
  constructor(readonly id: u64) {}

  /** Stops it; false if it already fired. */
  cancel(): bool { return host.cancel_timer(this.id) != 0; }
}

/** How to spawn: linked (with a tag) or not, and the configuration (null: the caller's). */
export class SpawnOptions {
  link: i64 = 0;
  config: Config | null = null;
}

/** The 17-byte parameter records of `spawn` (docs/abi.md, "Spawning"): i32, i32, i64. */
const params = memory.data(51);
// "__lunatic_spawn", the export of exports.ts, in UTF-8
const ENTRY_NAME = memory.data<u8>([0x5f, 0x5f, 0x6c, 0x75, 0x6e, 0x61, 0x74, 0x69, 0x63, 0x5f, 0x73, 0x70, 0x61, 0x77, 0x6e]);
const ENTRY_NAME_LENGTH = 15;

/** A process that receives messages of type M. */
export class Process<M> {
  constructor(readonly id: u64) {}

  /** The calling process. */
  static self<M>(): Process<M> { return new Process<M>(host.process_id()); }

  /** Starts a process that calls `entry(arg)`. `arg` is copied into it: numbers directly,
   *  other values as a message (strings, arrays, classes: see codec.ts). */
  static spawn<A, M>(arg: A, entry: (arg: A) => void, options: SpawnOptions | null = null): Result<Process<M>> {
    const start = (fn: usize, value: i64): void => {
      let arg: A;
      if (isInteger<A>()) {
        arg = <A>value;
      } else if (isFloat<A>()) {
        arg = sizeof<A>() == 8 ? <A>reinterpret<f64>(value) : <A>reinterpret<f32>(<i32>value);
      } else {
        host.receive(startTag, 1, FOREVER);
        arg = readSlot<A>();
      }
      changetype<(arg: A) => void>(fn)(arg);
    };
    let value: i64 = 0;
    if (isInteger<A>()) value = <i64>arg;
    else if (isFloat<A>()) value = sizeof<A>() == 8 ? reinterpret<i64>(<f64>arg) : <i64>reinterpret<i32>(<f32>arg);
    store<u8>(params, 0x7F);
    store<u64>(params + 1, changetype<usize>(start)); store<u64>(params + 9, 0);
    store<u8>(params + 17, 0x7F);
    store<u64>(params + 18, changetype<usize>(entry)); store<u64>(params + 26, 0);
    store<u8>(params + 34, 0x7E);
    store<i64>(params + 35, value); store<u64>(params + 43, 0);
    const link = options ? options.link : 0;
    const config = options && options.config ? options.config!.id : FOREVER;
    const status = host.spawn(link, config, FOREVER, ENTRY_NAME, ENTRY_NAME_LENGTH,
                              params, 51, scratch);
    if (status != 0) return Result.err<Process<M>>("spawn: " + resultOf(status, scratch).error);
    const process = new Process<M>(load<u64>(scratch));
    if (!isInteger<A>() && !isFloat<A>()) {
      fillSlot<A>(arg, START_TAG);
      host.send(process.id);
    }
    return Result.ok<Process<M>>(process);
  }

  /** As `spawn`, linked to the caller with `tag` (which a link-died message carries). */
  static spawnLink<A, M>(arg: A, entry: (arg: A) => void, tag: i64 = 1, config: Config | null = null): Result<Process<M>> {
    const options = new SpawnOptions();
    options.link = tag;
    options.config = config;
    return Process.spawn<A, M>(arg, entry, options);
  }

  /** Sends `message`, tagged `tag` (0: untagged). Messages to a process that is gone are dropped. */
  send(message: M, tag: i64 = 0): void {
    fillSlot<M>(message, tag);
    host.send(this.id);
  }

  /** Sends `message` after `delay` milliseconds, unless the timer is cancelled first. */
  sendAfter(message: M, delay: u64, tag: i64 = 0): Timer {
    fillSlot<M>(message, tag);
    return new Timer(host.send_after(this.id, delay));
  }

  /** Sends `message` tagged `tag` and waits for the first message tagged `tag` that arrives
   *  after it (the reply: messages queued before are not looked at). */
  request<R>(message: M, tag: i64, timeout: u64 = FOREVER): Result<R> {
    fillSlot<M>(message, tag);
    if (host.send_receive_skip_search(this.id, tag, timeout) != 0) return Result.err<R>("timed out");
    return Result.ok<R>(readSlot<R>());
  }

  /** Links the caller and this process both ways, each side carrying `tag`. */
  link(tag: i64 = 0): void { host.link(tag, this.id); }
  unlink(): void { host.unlink(this.id); }
  /** The caller receives a ProcessDied message when this process ends. */
  monitor(): void { host.monitor(this.id); }
  stopMonitoring(): void { host.stop_monitoring(this.id); }
  /** Ends the process, as a failure its links see. */
  kill(): void { host.kill(this.id); }
  get isAlive(): bool { return host.exists(this.id) != 0; }

  /** Suspends the caller for `ms` milliseconds. */
  static sleep(ms: u64): void { host.sleep_ms(ms); }

  /** false: a linked process's failure arrives as a LinkDied message instead of ending the caller. */
  static dieWhenLinkDies(flag: bool): void { host.die_when_link_dies(flag); }
}


/** Names of processes, shared by the processes of the program (lunatic::registry). */
export class Registry {
  static put<M>(name: string, process: Process<M>): void {
    const bytes = String.UTF8.encode(name);
    host.registry_put(changetype<usize>(bytes), bytes.byteLength, 0, process.id);
  }

  /** The process registered as `name`, or null. */
  static get<M>(name: string): Process<M> | null {
    const bytes = String.UTF8.encode(name);
    if (host.registry_get(changetype<usize>(bytes), bytes.byteLength, scratch, scratch + 8) != 0) return null;
    return new Process<M>(load<u64>(scratch + 8));
  }

  static remove(name: string): void {
    const bytes = String.UTF8.encode(name);
    host.registry_remove(changetype<usize>(bytes), bytes.byteLength);
  }
}

/** Runs `body`; false if it trapped (an abort, unreachable, a host function's refusal), in
 *  which case the process goes on after this call. What `body` changed stays changed, and an
 *  allocation it was in the middle of may be lost. */
export function catchTrap(body: () => void): bool {
  const stack = __stack_pointer;
  if (host.trap_catch(changetype<usize>(body), 0) != 0) return true;
  __stack_pointer = stack;  // the trap skipped the epilogues that give back shadow stack space
  return false;
}
