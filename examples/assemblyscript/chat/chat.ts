// chat: the telnet chat server of examples/chat (C), written in AssemblyScript with lunatic-as:
// the same commands, texts and processes, so tests/chat runs against both.
//
//     ./chat_as [PORT [ADDRESS]]      (2323 on 127.0.0.1)
//
// Processes, as in examples/chat/chat.c (whose first comment says why each is there):
//   - the root binds the port and accepts; each connection gets a client process, which it
//     hands the stream in a message;
//   - a client process reads its client's lines (line.ts) and answers commands itself;
//     other lines go to the channel it talks in, as a request answered once written;
//   - a channel process holds its members' stream clones and writes each line to the others;
//   - the coordinator, registered as "chat.coordinator", hands out names, makes channels,
//     hands joins on to them and ends a channel once it has no members and no join on the way.
// Every stream's write timeout is 0: a client that stops reading is dropped, never waited for.
import {
  Config, Mailbox, MessageKind, Process, Reader, Registry, SpawnOptions, TcpListener, TcpStream, Writer,
  args, eprintln, exit, println,
} from "lunatic-as";
import { LineDecoder } from "./line";

const NICK_MAX = 24;
const CHANNEL_NAME_MAX = 32;  // with the '#'
const MAX_CHANNELS = 256;
const MAX_JOINED = 8;
const TEXT_MAX = 512;
const CALL_TIMEOUT_MS: u64 = 5000;
// A client process's memory limit: its initial memory and room for its heap to grow.
const CLIENT_MAX_MEMORY: u64 = 8 * 65536;
const COORDINATOR_NAME = "chat.coordinator";

const TAG_CAST: i64 = 1;
const TAG_COORDINATOR_LINK: i64 = 2;
const TAG_FIRST_CALL: i64 = 16;

const enum Op {
  Stream = 1,  // root -> client: its stream
  Hello,       // client -> coordinator (request): a new client; answer: its guest name
  Nick,        // client -> coordinator (request): text wants to be its name; value: 1 ok
  List,        // client -> coordinator (request): the channel list as text
  Count,       // channel -> coordinator: value members now, joins taken so far
  Setup,       // coordinator -> channel: its name is text, pid the coordinator
  Join,        // client -> coordinator -> channel (request): "#channel nick", a stream clone
  Close,       // coordinator -> channel: end
  Say,         // client -> channel (request): text to write to the others
  Rename,      // client -> channel: the member is now called text
  Reply,       // the answer to a request
}

/** Every message between the chat's processes. */
class ChatMsg {
  op: u32 = 0;
  value: u32 = 0;
  from: u64 = 0;      // who sent it: where answers and monitors point
  pid: u64 = 0;       // a process the message is about
  replyTag: i64 = 0;  // a request's: the tag its answer carries
  joins: u64 = 0;     // Op.Count: the joins the channel has taken
  text: string = "";
  stream: TcpStream | null = null;

  constructor(op: u32, value: u32 = 0, text: string = "", pid: u64 = 0) {
    this.op = op;
    this.value = value;
    this.from = Process.self<ChatMsg>().id;
    this.pid = pid;
    this.text = text;
  }

  serialize(w: Writer): void {
    w.write<u32>(this.op);
    w.write<u32>(this.value);
    w.write<u64>(this.from);
    w.write<u64>(this.pid);
    w.write<i64>(this.replyTag);
    w.write<u64>(this.joins);
    w.write<string>(this.text);
    w.write<TcpStream | null>(this.stream);
  }

  deserialize(r: Reader): void {
    this.op = r.read<u32>();
    this.value = r.read<u32>();
    this.from = r.read<u64>();
    this.pid = r.read<u64>();
    this.replyTag = r.read<i64>();
    this.joins = r.read<u64>();
    this.text = r.read<string>();
    this.stream = r.read<TcpStream | null>();
  }
}

const mailbox = new Mailbox<ChatMsg>();
let nextTag: i64 = TAG_FIRST_CALL;  // of this process's requests

function cast(to: u64, msg: ChatMsg): void {
  new Process<ChatMsg>(to).send(msg, TAG_CAST);
}

/** Sends a request and waits for its answer; null after CALL_TIMEOUT_MS. */
function call(to: u64, msg: ChatMsg): ChatMsg | null {
  msg.replyTag = nextTag++;
  const answer = new Process<ChatMsg>(to).request<ChatMsg>(msg, msg.replyTag, CALL_TIMEOUT_MS);
  if (answer.isErr) return null;
  const reply = answer.unwrap();
  return reply.op == Op.Reply ? reply : null;
}

function reply(request: ChatMsg, value: u32, text: string = ""): void {
  if (request.replyTag >= TAG_FIRST_CALL) {
    new Process<ChatMsg>(request.from).send(new ChatMsg(Op.Reply, value, text), request.replyTag);
  }
}

/** `text` and telnet's end of line, in UTF-8. */
function lineBytes(text: string): ArrayBuffer {
  return String.UTF8.encode(text + "\r\n");
}

/** Writes the bytes; false if the client is gone or its socket buffer is full. */
function writeBytes(stream: TcpStream, bytes: ArrayBuffer): bool {
  return stream.writeFrom(changetype<usize>(bytes), bytes.byteLength).isOk;
}

// ---- names ---------------------------------------------------------------------------------

function nameValid(name: string, max: i32): bool {
  if (name.length == 0 || name.length > max) return false;
  for (let i = 0; i < name.length; i++) {
    const c = name.charCodeAt(i);
    const ok = (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || (c >= 48 && c <= 57) || c == 45 || c == 95;
    if (!ok) return false;
  }
  return true;
}

/** A decimal number from 1 to `max`, nothing else; 0 if `text` is not one. */
function parseNumber(text: string, max: u64): u64 {
  if (text.length == 0) return 0;
  let value: u64 = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 48 || c > 57) return 0;
    value = value * 10 + <u64>(c - 48);
    if (value > max) return 0;
  }
  return value;
}

/** Names "guest" followed by digits are handed out by the coordinator, never taken. */
function nickReserved(nick: string): bool {
  return nick.startsWith("guest") && parseNumber(nick.substring(5), u64.MAX_VALUE / 10) != 0;
}

// ---- the coordinator -----------------------------------------------------------------------

class ChannelEntry {
  members: u32 = 0;   // as the channel last said
  joinsSent: u64 = 0; // joins handed to it
  constructor(readonly name: string, readonly pid: u64) {}
}

class Coordinator {
  nicks: Map<u64, string> = new Map<u64, string>();
  nextGuest: u64 = 1;
  channels: ChannelEntry[] = [];

  nickTaken(nick: string, pid: u64): bool {
    const pids = this.nicks.keys();
    for (let i = 0; i < pids.length; i++) {
      if (pids[i] != pid && this.nicks.get(pids[i]) == nick) return true;
    }
    return false;
  }

  named(name: string): ChannelEntry | null {
    for (let i = 0; i < this.channels.length; i++) if (this.channels[i].name == name) return this.channels[i];
    return null;
  }

  indexOf(pid: u64): i32 {
    for (let i = 0; i < this.channels.length; i++) if (this.channels[i].pid == pid) return i;
    return -1;
  }

  hello(m: ChatMsg): void {
    const nick = "guest" + (this.nextGuest++).toString();
    this.nicks.set(m.from, nick);
    new Process<ChatMsg>(m.from).monitor();
    reply(m, 1, nick);
  }

  nick(m: ChatMsg): void {
    const free = this.nicks.has(m.from) && !this.nickTaken(m.text, m.from);
    if (free) this.nicks.set(m.from, m.text);
    reply(m, free ? 1 : 0);
  }

  /** A new channel process; null if there are too many. */
  make(name: string): ChannelEntry | null {
    if (this.channels.length == MAX_CHANNELS) return null;
    const spawned = Process.spawn<i32, ChatMsg>(0, channelMain);
    if (spawned.isErr) return null;
    const channel = spawned.unwrap();
    channel.monitor();  // should it fail, its name is freed
    const entry = new ChannelEntry(name, channel.id);
    this.channels.push(entry);
    cast(channel.id, new ChatMsg(Op.Setup, 0, name, Process.self<ChatMsg>().id));
    return entry;
  }

  join(m: ChatMsg): void {
    const space = m.text.indexOf(" ");
    let entry: ChannelEntry | null = null;
    let nick = "";
    if (space >= 0) {
      const name = m.text.substring(0, space);
      nick = m.text.substring(space + 1);
      entry = this.named(name);
      if (!entry) entry = this.make(name);
    }
    if (!entry) {
      if (m.stream) m.stream!.close();
      reply(m, 0);
      return;
    }
    const join = new ChatMsg(Op.Join, 0, nick);
    join.from = m.from;
    join.replyTag = m.replyTag;
    join.stream = m.stream;
    cast(entry.pid, join);
    entry.joinsSent++;
  }

  count(m: ChatMsg): void {
    const i = this.indexOf(m.from);
    if (i < 0) return;
    const entry = this.channels[i];
    entry.members = m.value;
    if (entry.members == 0 && m.joins == entry.joinsSent) {
      cast(entry.pid, new ChatMsg(Op.Close));
      this.channels.splice(i, 1);
    }
  }

  list(m: ChatMsg): void {
    let text = "";
    for (let i = 0; i < this.channels.length; i++) {
      const c = this.channels[i];
      const entry = (i ? ", " : "") + c.name + " (" + c.members.toString() + ")";
      if (text.length + entry.length + 5 > TEXT_MAX) {
        text += ", ...";
        break;
      }
      text += entry;
    }
    reply(m, <u32>this.channels.length, text);
  }
}

function coordinatorMain(_: i32): void {
  const s = new Coordinator();
  while (true) {
    const received = mailbox.receive();
    if (received.kind == MessageKind.ProcessDied) {
      s.nicks.delete(received.processId);
      const i = s.indexOf(received.processId);
      if (i >= 0) s.channels.splice(i, 1);
      continue;
    }
    if (!received.isData) continue;
    const m = received.value;
    switch (m.op) {
      case Op.Hello: s.hello(m); break;
      case Op.Nick: s.nick(m); break;
      case Op.Join: s.join(m); break;
      case Op.List: s.list(m); break;
      case Op.Count: s.count(m); break;
    }
  }
}

// ---- channels ------------------------------------------------------------------------------

class Member {
  failed: bool = false;  // a write to it failed: to be dropped
  constructor(readonly pid: u64, readonly stream: TcpStream, public nick: string) {}
}

class Channel {
  name: string = "";
  coordinator: u64 = 0;
  members: Member[] = [];
  joins: u64 = 0;

  member(pid: u64): Member | null {
    for (let i = 0; i < this.members.length; i++) if (this.members[i].pid == pid) return this.members[i];
    return null;
  }

  /** Writes `text` to every member but `except`; a member whose write fails is marked. */
  writeAll(except: u64, text: string): void {
    const bytes = lineBytes(text);
    for (let i = 0; i < this.members.length; i++) {
      const m = this.members[i];
      if (m.pid != except && !m.failed && !writeBytes(m.stream, bytes)) m.failed = true;
    }
  }

  countChanged(): void {
    const m = new ChatMsg(Op.Count, <u32>this.members.length);
    m.joins = this.joins;
    cast(this.coordinator, m);
  }

  /** Removes members[i], closing the channel's clone of its stream; what the others are told. */
  remove(i: i32): string {
    const gone = this.members[i];
    gone.stream.close();
    this.members[i] = this.members[this.members.length - 1];
    this.members.pop();
    return "* " + gone.nick + " left " + this.name;
  }

  /** Drops the members whose writes failed and ends their client processes. */
  dropFailed(): void {
    let dropped = false;
    for (let i = 0; i < this.members.length;) {
      if (!this.members[i].failed) {
        i++;
        continue;
      }
      new Process<ChatMsg>(this.members[i].pid).kill();
      this.writeAll(0, this.remove(i));
      dropped = true;
      i = 0;
    }
    if (dropped) this.countChanged();
  }

  left(pid: u64): void {
    for (let i = 0; i < this.members.length; i++) {
      if (this.members[i].pid == pid) {
        this.writeAll(0, this.remove(i));
        this.countChanged();
        return;
      }
    }
  }

  join(m: ChatMsg): u32 {
    const stream = m.stream!;
    this.joins++;
    if (this.member(m.from)) {
      stream.close();
      this.countChanged();
      return <u32>this.members.length;
    }
    this.members.push(new Member(m.from, stream, m.text));
    new Process<ChatMsg>(m.from).monitor();
    this.writeAll(m.from, "* " + m.text + " joined " + this.name);
    this.countChanged();
    return <u32>this.members.length;
  }

  /** Acts on one message; the answer's value if it is a request. */
  handle(m: ChatMsg): u32 {
    const who = this.member(m.from);
    switch (m.op) {
      case Op.Setup:
        this.name = m.text;
        this.coordinator = m.pid;
        break;
      case Op.Join:
        return this.join(m);
      case Op.Say:
        if (!who) return 0;
        this.writeAll(m.from, "[" + this.name + "] " + who.nick + ": " + m.text);
        return 1;
      case Op.Rename:
        if (!who) break;
        this.writeAll(m.from, "* " + who.nick + " is now known as " + m.text);
        who.nick = m.text;
        break;
    }
    return 0;
  }
}

function channelMain(_: i32): void {
  const c = new Channel();
  while (true) {
    const received = mailbox.receive();
    if (received.kind == MessageKind.ProcessDied) c.left(received.processId);
    const m = received.isData ? received.value : null;
    if (m && m.op == Op.Close && c.members.length == 0) break;
    const answer = m ? c.handle(m) : 0;
    c.dropFailed();
    // Only now: what a request made the channel write is written before the requester goes on.
    if (m) reply(m, answer);
  }
}

// ---- clients -------------------------------------------------------------------------------

const HELP_TEXT =
  "Commands:\r\n" +
  "  /nick NAME      take a name (up to 24 letters, digits, - and _)\r\n" +
  "  /join #channel  join a channel, made if new; what you type then goes there\r\n" +
  "  /channels       list the channels and how many are in each\r\n" +
  "  /help           this list\r\n" +
  "  /quit           leave\r\n" +
  "Anything else you type goes to the channel you joined last.";

class Joined {
  constructor(readonly name: string, readonly pid: u64) {}
}

class Client {
  nick: string = "";
  joined: Joined[] = [];
  current: i32 = -1;  // where typed lines go; -1 before the first /join
  done: bool = false; // the client quit, or is gone

  constructor(readonly stream: TcpStream, readonly coordinator: u64) {}

  /** Shows one line to the client; a failed write ends the client. */
  say(text: string): void {
    if (!this.done && !writeBytes(this.stream, lineBytes(text))) this.done = true;
  }

  nickCommand(nick: string): void {
    if (!nameValid(nick, NICK_MAX) || nickReserved(nick)) {
      this.say("A name is 1 to 24 letters, digits, - and _ (and not guest<number>).");
      return;
    }
    const answer = call(this.coordinator, new ChatMsg(Op.Nick, 0, nick));
    if (!answer) {
      this.say("The server is busy; try again.");
      return;
    }
    if (!answer.value) {
      this.say(nick + " is taken.");
      return;
    }
    for (let i = 0; i < this.joined.length; i++) cast(this.joined[i].pid, new ChatMsg(Op.Rename, 0, nick));
    this.nick = nick;
    this.say("You are now " + nick + ".");
  }

  joinCommand(name: string): void {
    if (!name.startsWith("#") || !nameValid(name.substring(1), CHANNEL_NAME_MAX - 1)) {
      this.say("A channel is # and 1 to 31 letters, digits, - and _: /join #lobby");
      return;
    }
    for (let i = 0; i < this.joined.length; i++) {
      if (this.joined[i].name == name) {
        this.current = i;
        this.say("You now talk in " + name + ".");
        return;
      }
    }
    if (this.joined.length == MAX_JOINED) {
      this.say("You are in 8 channels already.");
      return;
    }
    // The channel writes to the client through its own clone of the stream.
    const request = new ChatMsg(Op.Join, 0, name + " " + this.nick);
    request.stream = this.stream.clone();
    const answer = call(this.coordinator, request);
    if (!answer) {
      this.say("The server is busy; try again.");
      return;
    }
    if (!answer.value) {
      this.say("There are too many channels.");
      return;
    }
    this.joined.push(new Joined(name, answer.from));
    this.current = this.joined.length - 1;
    this.say("You joined " + name + " (" + answer.value.toString() + " here). What you type now goes there.");
  }

  channelsCommand(): void {
    const answer = call(this.coordinator, new ChatMsg(Op.List));
    if (!answer) {
      this.say("The server is busy; try again.");
      return;
    }
    if (answer.value == 0) {
      this.say("No channels yet: /join #lobby makes one.");
      return;
    }
    this.say("Channels: " + answer.text);
  }

  /** To the current channel, which answers once it has written the line to the others;
   *  until then this process reads nothing more from its client. */
  talk(line: string): void {
    if (this.current < 0) {
      this.say("Join a channel first: /join #lobby (or /help).");
      return;
    }
    if (!call(this.joined[this.current].pid, new ChatMsg(Op.Say, 0, line))) {
      this.say("The channel is busy; your line was dropped.");
    }
  }

  line(line: string, cut: bool): void {
    if (cut) this.say("(Your line was longer than 400 bytes; the rest was dropped.)");
    if (!line.startsWith("/")) {
      this.talk(line);
      return;
    }
    let command = line;
    let argument = "";
    const space = line.indexOf(" ");
    if (space >= 0) {
      command = line.substring(0, space);
      argument = trimSpaces(line.substring(space + 1));
    }
    if (command == "/nick") this.nickCommand(argument);
    else if (command == "/join") this.joinCommand(argument);
    else if (command == "/channels") this.channelsCommand();
    else if (command == "/help") this.say(HELP_TEXT);
    else if (command == "/quit") {
      this.say("Bye.");
      this.done = true;
    } else {
      this.say("Unknown command " + command + "; /help lists them.");
    }
  }
}

/** Without leading and trailing spaces (tabs were made spaces by the decoder). */
function trimSpaces(text: string): string {
  let start = 0;
  let end = text.length;
  while (start < end && text.charCodeAt(start) == 32) start++;
  while (end > start && text.charCodeAt(end - 1) == 32) end--;
  return text.substring(start, end);
}

function clientMain(_: i32): void {
  // The root's Op.Stream message brings the stream.
  let stream: TcpStream | null = null;
  while (!stream) {
    const received = mailbox.receive();
    if (received.isData && received.value.op == Op.Stream) stream = received.value.stream;
  }
  stream!.setWriteTimeout(0);  // shared by the channels' clones
  const coordinator = Registry.get<ChatMsg>(COORDINATOR_NAME);
  const client = new Client(stream!, coordinator ? coordinator.id : 0);
  const hello = coordinator ? call(coordinator.id, new ChatMsg(Op.Hello)) : null;
  if (!hello) {
    client.say("The server is busy; try again later.");
    return;
  }
  client.nick = hello.text;
  client.say("Welcome to the chat, " + client.nick + "! /help lists the commands; /join #lobby to start.");

  const decoder = new LineDecoder();
  const buffer = new Uint8Array(512);
  while (!client.done) {
    const got = client.stream.read(buffer);
    if (got.isErr || got.unwrap() == 0) break;
    const n = got.unwrap();
    for (let i = 0; i < n && !client.done; i++) {
      if (!decoder.push(unchecked(buffer[i]))) continue;
      client.line(decoder.text, decoder.truncated);
      decoder.next();
    }
  }
  // Ending is enough: monitors tell the coordinator and the channels, which close their
  // clones of the stream, and the connection closes with the last.
}

// ---- the root: accepting connections -------------------------------------------------------

/** A configuration for processes that may only talk to processes and the streams they are
 *  given: no listening or connecting. `client`: nor spawn, and little memory. */
function confinedConfig(client: bool): Config {
  const config = Config.create().expect("chat: cannot create a configuration");
  config.canListen = false;
  config.canConnect = false;
  if (client) config.maxMemory = CLIENT_MAX_MEMORY;
  else config.canSpawnProcesses = true;
  return config;
}

export function _start(): void {
  const argv = args();
  const port = argv.length > 1 ? parseNumber(argv[1], 65535) : 2323;
  const address = argv.length > 2 ? argv[2] : "127.0.0.1";
  if (argv.length > 3 || port == 0) {
    eprintln("usage: chat [PORT [ADDRESS]]   (2323 127.0.0.1)");
    exit(2);
  }
  const coordinatorConfig = confinedConfig(false);
  const clientConfig = confinedConfig(true);
  // Linked: should the coordinator fail, the root fails and the server ends.
  const linked = new SpawnOptions();
  linked.link = TAG_COORDINATOR_LINK;
  linked.config = coordinatorConfig;
  const coordinator = Process.spawn<i32, ChatMsg>(0, coordinatorMain, linked);
  if (coordinator.isErr) {
    eprintln("chat: cannot spawn the coordinator: " + coordinator.error);
    exit(1);
  }
  Registry.put(COORDINATOR_NAME, coordinator.unwrap());

  const host = address.includes(":") ? "[" + address + "]" : address;
  const bound = TcpListener.bind(host + ":" + port.toString());
  if (bound.isErr) {
    eprintln("chat: cannot listen: " + bound.error);
    exit(1);
  }
  const listener = bound.unwrap();
  println("chat: listening on " + address + " port " + port.toString());
  const clients = new SpawnOptions();
  clients.config = clientConfig;
  while (true) {
    const accepted = listener.accept();
    if (accepted.isErr) {
      // Out of descriptors, most likely: wait for clients to leave.
      eprintln("chat: accept: " + accepted.error);
      Process.sleep(100);
      continue;
    }
    const stream = accepted.unwrap();
    const client = Process.spawn<i32, ChatMsg>(0, clientMain, clients);
    if (client.isErr) {
      stream.close();  // no room for another client
      continue;
    }
    const m = new ChatMsg(Op.Stream);
    m.stream = stream;
    client.unwrap().send(m, TAG_CAST);
  }
}
