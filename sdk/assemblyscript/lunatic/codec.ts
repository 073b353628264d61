// Messages as bytes: what `send` writes into lunatic's message slot and `receive` reads back
// (docs/abi.md, "Messages"). A value of type T is written by encode<T>, chosen as the program
// is compiled:
//
//   bool, integers, floats     little-endian, their own width
//   string                     u32 byte length, UTF-8
//   Array, StaticArray, typed  u32 length, then each element
//   ArrayBuffer                u32 length, the bytes
//   TcpStream, UdpSocket       moved into the message (push_*): u64 index
//   a class with serialize()   what serialize(writer) writes; read back by deserialize(reader)
//                              on an object allocated without running its constructor
//   other classes of the       each field in turn, by the methods transform.js gives them
//   program                    (__lunatic_serialize, __lunatic_deserialize)
//   other classes              (of the standard library or a package) their fields' bytes,
//                              when they hold no references; otherwise the encode fails the
//                              process
//   nullable references        a byte 0 (null) or 1, then the value
//
// Both sides are the same program, so the layout needs no description of its own.
import * as host from "./host";
import { Socket, TcpStream, UdpSocket } from "./net";

/** Bytes being written into a message. One buffer, reused by every send of the process. */
export class Writer {
  ptr: usize = heap.alloc(256);
  length: usize = 0;
  capacity: usize = 256;

  reset(): void { this.length = 0; }

  reserve(bytes: usize): usize {
    const needed = this.length + bytes;
    if (needed > this.capacity) {
      let capacity = this.capacity * 2;
      while (capacity < needed) capacity *= 2;
      this.ptr = heap.realloc(this.ptr, capacity);
      this.capacity = capacity;
    }
    const at = this.ptr + this.length;
    this.length = needed;
    return at;
  }

  put<T>(value: T): void { store<T>(this.reserve(sizeof<T>()), value); }

  bytes(ptr: usize, length: usize): void {
    this.put<u32>(<u32>length);
    memory.copy(this.reserve(length), ptr, length);
  }

  string(text: string): void {
    const length = <usize>String.UTF8.byteLength(text);
    this.put<u32>(<u32>length);
    String.UTF8.encodeUnsafe(changetype<usize>(text), text.length, this.reserve(length));
  }

  /** Writes any encodable value: what a serialize() method calls for each field. */
  write<T>(value: T): void { encode<T>(this, value); }
}

/** Bytes of a received message being read. */
export class Reader {
  ptr: usize = heap.alloc(256);
  length: usize = 0;
  capacity: usize = 256;
  at: usize = 0;

  /** Copies the message in the slot into the buffer. */
  load(): void {
    const size = <usize>host.data_size();
    if (size > this.capacity) {
      heap.free(this.ptr);
      this.ptr = heap.alloc(size);
      this.capacity = size;
    }
    host.read_data(this.ptr, size);
    this.length = size;
    this.at = 0;
  }

  take(bytes: usize): usize {
    if (this.at + bytes > this.length) abort("message shorter than its type: not the type it was sent as");
    const at = this.ptr + this.at;
    this.at += bytes;
    return at;
  }

  get<T>(): T { return load<T>(this.take(sizeof<T>())); }

  string(): string {
    const length = <usize>this.get<u32>();
    return String.UTF8.decodeUnsafe(this.take(length), length);
  }

  /** Reads any decodable value: what a deserialize() method calls for each field. */
  read<T>(): T { return decode<T>(this); }

  /** Reads a value of the type of `_field` into `object`'s field at `offset`: what the
   *  methods transform.js generates call, for readonly fields too. */
  readField<O, T>(object: O, offset: usize, _field: T): void {
    const value = decode<T>(this);
    store<T>(changetype<usize>(object) + offset, value);
    // The object may already be marked by the incremental collector: tell it of the reference.
    if (isManaged<T>()) __link(changetype<usize>(object), changetype<usize>(value), false);
  }
}

// One of each per process, made when first needed: a process that sends only numbers, or
// nothing, allocates nothing for them (nor does its start function).
let sharedWriter: Writer | null = null;
let sharedReader: Reader | null = null;

/** The process's writer, emptied. */
export function writer(): Writer {
  let w = sharedWriter;
  if (!w) sharedWriter = w = new Writer();
  w.reset();
  return w;
}

/** The process's reader, holding the message in the slot. */
export function reader(): Reader {
  let r = sharedReader;
  if (!r) sharedReader = r = new Reader();
  r.load();
  return r;
}

export function encode<T>(w: Writer, value: T): void {
  if (isBoolean<T>()) {
    w.put<u8>(value ? 1 : 0);
  } else if (isInteger<T>() || isFloat<T>()) {
    w.put<T>(value);
  } else if (isReference<T>()) {
    if (isNullable<T>()) {
      if (changetype<usize>(value) == 0) { w.put<u8>(0); return; }
      w.put<u8>(1);
    }
    encodeObject<NonNullable<T>>(w, changetype<NonNullable<T>>(value));
  } else {
    ERROR("lunatic: a message cannot hold this type");
  }
}

function encodeObject<T>(w: Writer, value: T): void {
  if (isString<T>()) {
    w.string(changetype<string>(value));
  } else if (value instanceof ArrayBuffer) {
    w.bytes(changetype<usize>(value), value.byteLength);
  } else if (value instanceof TcpStream) {
    w.put<u64>(host.push_tcp_stream(value.take()));
  } else if (value instanceof UdpSocket) {
    w.put<u64>(host.push_udp_socket(value.take()));
  } else if (value instanceof Socket) {
    abort("lunatic: only TCP streams and UDP sockets move in messages, not listeners");
  } else if (isArrayLike<T>()) {
    // @ts-ignore: an array-like has length and an index
    const length = <i32>value.length;
    w.put<u32>(<u32>length);
    // @ts-ignore: valueof an array-like is its element type
    for (let i = 0; i < length; i++) encode<valueof<T>>(w, unchecked(value[i]));
  } else if (isDefined(value.serialize)) {
    // @ts-ignore: checked just above
    value.serialize(w);
  } else if (isDefined(value.__lunatic_serialize)) {
    // @ts-ignore: checked just above
    value.__lunatic_serialize<Writer>(w);
  } else {
    if (!(__typeinfo(idof<T>()) & 32 /* POINTERFREE */)) {
      abort("lunatic: a class of a library, with reference fields, cannot be sent without serialize() and deserialize()");
    }
    memory.copy(w.reserve(offsetof<T>()), changetype<usize>(value), offsetof<T>());
  }
}

export function decode<T>(r: Reader): T {
  if (isBoolean<T>()) {
    return <T>(r.get<u8>() != 0);
  } else if (isInteger<T>() || isFloat<T>()) {
    return r.get<T>();
  } else if (isReference<T>()) {
    if (isNullable<T>()) {
      if (r.get<u8>() == 0) return changetype<T>(0);
    }
    return changetype<T>(decodeObject<NonNullable<T>>(r));
  } else {
    ERROR("lunatic: a message cannot hold this type");
  }
}

function decodeObject<T>(r: Reader): T {
  if (isString<T>()) {
    return changetype<T>(r.string());
  } else if (idof<T>() == idof<ArrayBuffer>()) {
    const length = <i32>r.get<u32>();
    const buffer = new ArrayBuffer(length);
    memory.copy(changetype<usize>(buffer), r.take(length), length);
    return changetype<T>(buffer);
  } else if (idof<T>() == idof<TcpStream>()) {
    return changetype<T>(new TcpStream(host.take_tcp_stream(r.get<u64>())));
  } else if (idof<T>() == idof<UdpSocket>()) {
    return changetype<T>(new UdpSocket(host.take_udp_socket(r.get<u64>())));
  } else if (isArrayLike<T>()) {
    const length = <i32>r.get<u32>();
    const array = instantiate<T>(length);
    // @ts-ignore: valueof an array-like is its element type
    for (let i = 0; i < length; i++) unchecked(array[i] = decode<valueof<T>>(r));
    return array;
  } else {
    // Allocated as the sender's object was, without its constructor: the fields come next.
    const object = changetype<T>(__new(offsetof<T>(), idof<T>()));
    // @ts-ignore: checked below
    if (isDefined(object.deserialize)) {
      // @ts-ignore: checked just above
      object.deserialize(r);
    } else if (isDefined(object.__lunatic_deserialize)) {
      // @ts-ignore: checked just above
      object.__lunatic_deserialize<Reader>(r);
    } else {
      memory.copy(changetype<usize>(object), r.take(offsetof<T>()), offsetof<T>());
    }
    return object;
  }
}
