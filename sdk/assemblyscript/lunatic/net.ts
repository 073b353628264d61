// TCP and UDP (lunatic::networking). Sockets are resources of the process that made them; a
// stream or socket sent in a message (codec.ts) moves to the receiver, and the sender's object
// is left closed.
import * as host from "./host";
import { Result, resultOf, Status, takeError } from "./result";

const FOREVER: u64 = u64.MAX_VALUE;
const slot = memory.data(16);
const peer = memory.data(8);

/** An IPv4 or IPv6 address and a port. */
export class SocketAddr {
  /** 4 or 6. */
  family: u32 = 4;
  /** 4 (IPv4) or 16 (IPv6) bytes, network order. */
  address: Uint8Array = new Uint8Array(16);
  port: u32 = 0;
  flowInfo: u32 = 0;
  scopeId: u32 = 0;

  /** The addresses of "host:port" (a name or a numeric address; IPv6 as "[::1]:80"). */
  static resolveAll(name: string, timeout: u64 = FOREVER): Result<SocketAddr[]> {
    const text = String.UTF8.encode(name);
    const found = resultOf(host.resolve(changetype<usize>(text), text.byteLength, timeout, slot), slot);
    if (found.isErr) return Result.err<SocketAddr[]>(name + ": " + found.error);
    return Result.ok<SocketAddr[]>(SocketAddr.drain(found.unwrap()));
  }

  /** The first address of "host:port". */
  static resolve(name: string, timeout: u64 = FOREVER): Result<SocketAddr> {
    const all = SocketAddr.resolveAll(name, timeout);
    if (all.isErr) return Result.err<SocketAddr>(all.error);
    const list = all.unwrap();
    if (list.length == 0) return Result.err<SocketAddr>(name + ": no address");
    return Result.ok<SocketAddr>(list[0]);
  }

  /** Reads every address of a DNS iterator, and drops it. */
  static drain(iterator: u64): SocketAddr[] {
    const list = new Array<SocketAddr>();
    const words = memory.data(16);
    while (true) {
      const addr = new SocketAddr();
      if (host.resolve_next(iterator, words, addr.address.dataStart, words + 4, words + 8, words + 12) != 0) break;
      addr.family = load<u32>(words);
      addr.port = load<u16>(words + 4);
      addr.flowInfo = load<u32>(words + 8);
      addr.scopeId = load<u32>(words + 12);
      list.push(addr);
    }
    host.drop_dns_iterator(iterator);
    return list;
  }

  static fromIterator(status: u32): Result<SocketAddr> {
    const id = resultOf(status, slot);
    if (id.isErr) return Result.err<SocketAddr>(id.error);
    const list = SocketAddr.drain(id.unwrap());
    return list.length ? Result.ok<SocketAddr>(list[0]) : Result.err<SocketAddr>("no address");
  }

  toString(): string {
    if (this.family == 4) {
      const a = this.address;
      return `${a[0]}.${a[1]}.${a[2]}.${a[3]}:${this.port}`;
    }
    let text = "[";
    for (let i = 0; i < 16; i += 2) {
      if (i) text += ":";
      text += (<u32>this.address[i] << 8 | this.address[i + 1]).toString(16);
    }
    return text + "]:" + this.port.toString();
  }
}

/** Runs a call that takes an address as its five words and writes an id to `slot`. */
function withAddress(name: string, call: (addr: SocketAddr) => u32): Result<u64> {
  const addr = SocketAddr.resolve(name);
  if (addr.isErr) return Result.err<u64>(addr.error);
  return resultOf(call(addr.unwrap()), slot);
}

const CLOSED: u64 = u64.MAX_VALUE;

/** The count a read, write, send or receive wrote to `slot`, or its error. */
function countOf(status: u32): Result<i32> {
  const n = resultOf(status, slot);
  return n.isOk ? Result.ok<i32>(<i32>n.unwrap()) : Result.err<i32>(n.error);
}

/** A socket of the process's tables, named by its id until it is closed or sent away.
 *  Sockets are not closed by the garbage collector (AssemblyScript has no finalisers). */
export class Socket {
  constructor(protected id: u64) {}

  /** Frees the id; the connection ends with its last id. */
  close(): void {
    if (this.id != CLOSED) this.drop(this.id);
    this.id = CLOSED;
  }

  get isClosed(): bool { return this.id == CLOSED; }

  /** The id, leaving this object closed: the socket is moving into a message. */
  take(): u64 {
    const id = this.id;
    if (id == CLOSED) abort("lunatic: sending a socket that is closed or was sent");
    this.id = CLOSED;
    return id;
  }

  /** Frees `id` in the host's table of this kind of socket. */
  protected drop(id: u64): void { unreachable(); }
}

/** A TCP connection. */
export class TcpStream extends Socket {

  /** Connects to "host:port". */
  static connect(address: string, timeout: u64 = FOREVER): Result<TcpStream> {
    const addr = SocketAddr.resolve(address);
    if (addr.isErr) return Result.err<TcpStream>(addr.error);
    const a = addr.unwrap();
    const id = resultOf(host.tcp_connect(a.family, a.address.dataStart, a.port, a.flowInfo, a.scopeId, timeout, slot), slot);
    return id.isOk ? Result.ok<TcpStream>(new TcpStream(id.unwrap())) : Result.err<TcpStream>(address + ": " + id.error);
  }

  /** Reads what has arrived, at most `buffer.length` bytes: the count, 0 at the end of the stream. */
  read(buffer: Uint8Array): Result<i32> {
    return this.readInto(buffer.dataStart, buffer.length);
  }

  readInto(ptr: usize, length: usize): Result<i32> {
    return countOf(host.tcp_read(this.id, ptr, length, slot));
  }

  /** Writes all of [ptr, ptr + length). */
  writeFrom(ptr: usize, length: usize): Result<bool> {
    const iovec = memory.data(8);
    while (length > 0) {
      store<u32>(iovec, <u32>ptr);
      store<u32>(iovec, <u32>length, 4);
      const n = resultOf(host.tcp_write_vectored(this.id, iovec, 1, slot), slot);
      if (n.isErr) return Result.err<bool>(n.error);
      const written = <usize>n.unwrap();
      if (written == 0) return Result.err<bool>("connection closed");
      ptr += written;
      length -= written;
    }
    return Result.ok<bool>(true);
  }

  write(bytes: Uint8Array): Result<bool> { return this.writeFrom(bytes.dataStart, bytes.length); }

  writeString(text: string): Result<bool> {
    const bytes = String.UTF8.encode(text);
    return this.writeFrom(changetype<usize>(bytes), bytes.byteLength);
  }

  /** Reads time out after `ms` milliseconds (u64.MAX_VALUE: never). */
  setReadTimeout(ms: u64): void { host.set_read_timeout(this.id, ms); }
  setWriteTimeout(ms: u64): void { host.set_write_timeout(this.id, ms); }

  peerAddress(): Result<SocketAddr> { return SocketAddr.fromIterator(host.tcp_peer_addr(this.id, slot)); }

  /** A second handle on the same connection (say, one process reads, another writes). */
  clone(): TcpStream { return new TcpStream(host.clone_tcp_stream(this.id)); }

  protected drop(id: u64): void { host.drop_tcp_stream(id); }
}

/** A listening TCP socket. */
export class TcpListener extends Socket {

  /** Listens on "address:port" (port 0: one the system picks). */
  static bind(address: string): Result<TcpListener> {
    const id = withAddress(address, (a: SocketAddr): u32 =>
      host.tcp_bind(a.family, a.address.dataStart, a.port, a.flowInfo, a.scopeId, slot));
    return id.isOk ? Result.ok<TcpListener>(new TcpListener(id.unwrap())) : Result.err<TcpListener>(address + ": " + id.error);
  }

  /** Waits for the next connection. */
  accept(): Result<TcpStream> {
    const status = host.tcp_accept(this.id, slot, peer);
    if (status != Status.Ok) return Result.err<TcpStream>(takeError(load<u64>(slot)));
    host.drop_dns_iterator(load<u64>(peer));
    return Result.ok<TcpStream>(new TcpStream(load<u64>(slot)));
  }

  localAddress(): Result<SocketAddr> { return SocketAddr.fromIterator(host.tcp_local_addr(this.id, slot)); }

  protected drop(id: u64): void { host.drop_tcp_listener(id); }
}

/** A datagram received, and who sent it. */
export class Datagram {
  constructor(readonly length: i32, readonly sender: SocketAddr) {}
}

/** A UDP socket. */
export class UdpSocket extends Socket {

  static bind(address: string): Result<UdpSocket> {
    const id = withAddress(address, (a: SocketAddr): u32 =>
      host.udp_bind(a.family, a.address.dataStart, a.port, a.flowInfo, a.scopeId, slot));
    return id.isOk ? Result.ok<UdpSocket>(new UdpSocket(id.unwrap())) : Result.err<UdpSocket>(address + ": " + id.error);
  }

  /** Sends `bytes` to "host:port": the count sent. */
  sendTo(bytes: Uint8Array, address: string): Result<i32> {
    const found = SocketAddr.resolve(address);
    if (found.isErr) return Result.err<i32>(found.error);
    const a = found.unwrap();
    return countOf(host.udp_send_to(this.id, bytes.dataStart, bytes.length, a.family, a.address.dataStart,
                                    a.port, a.flowInfo, a.scopeId, slot));
  }

  /** Waits for a datagram; its bytes land in `buffer`. */
  receiveFrom(buffer: Uint8Array): Result<Datagram> {
    const status = host.udp_receive_from(this.id, buffer.dataStart, buffer.length, slot, peer);
    if (status != Status.Ok) return Result.err<Datagram>(takeError(load<u64>(slot)));
    const length = <i32>load<u64>(slot);
    const sender = SocketAddr.drain(load<u64>(peer));
    return Result.ok<Datagram>(new Datagram(length, sender.length ? sender[0] : new SocketAddr()));
  }

  /** Sends and receives only with "host:port" from now on. */
  connect(address: string, timeout: u64 = FOREVER): Result<bool> {
    const found = SocketAddr.resolve(address);
    if (found.isErr) return Result.err<bool>(found.error);
    const a = found.unwrap();
    const done = resultOf(host.udp_connect(this.id, a.family, a.address.dataStart, a.port, a.flowInfo, a.scopeId, timeout, slot), slot);
    return done.isOk ? Result.ok<bool>(true) : Result.err<bool>(done.error);
  }

  /** Sends to the connected peer. */
  send(bytes: Uint8Array): Result<i32> {
    return countOf(host.udp_send(this.id, bytes.dataStart, bytes.length, slot));
  }

  /** Receives from the connected peer. */
  receive(buffer: Uint8Array): Result<i32> {
    return countOf(host.udp_receive(this.id, buffer.dataStart, buffer.length, slot));
  }

  localAddress(): Result<SocketAddr> { return SocketAddr.fromIterator(host.udp_local_addr(this.id, slot)); }

  clone(): UdpSocket { return new UdpSocket(host.clone_udp_socket(this.id)); }

  protected drop(id: u64): void { host.drop_udp_socket(id); }
}
