// Standard streams, arguments, environment, clocks and files, through WASI preview 1: what a
// process was granted by its configuration (docs/abi.md, lunatic::wasi).
import * as host from "./host";
import { Result } from "./result";

// Scratch words for the calls' out-parameters: a process runs one call at a time.
const scratch = memory.data(16);

const ERRNO_INTR: u16 = 27;
const ERRNO_AGAIN: u16 = 6;

function errnoText(errno: u16): string {
  switch (errno) {
    case 2: return "permission denied";
    case 8: return "bad file descriptor";
    case 20: return "file exists";
    case 28: return "invalid argument";
    case 29: return "I/O error";
    case 31: return "is a directory";
    case 44: return "no such file or directory";
    case 54: return "not a directory";
    case 63: return "operation not permitted";
    case 76: return "not capable";
    default: return "WASI error " + errno.toString();
  }
}

/** Writes all of [ptr, ptr + len) to `fd`; false if the stream refused. */
function writeAll(fd: u32, ptr: usize, len: usize): bool {
  while (len > 0) {
    store<usize>(scratch, ptr);
    store<usize>(scratch, len, sizeof<usize>());
    const errno = host.fd_write(fd, scratch, 1, scratch + 8);
    if (errno == ERRNO_INTR || errno == ERRNO_AGAIN) continue;
    if (errno != 0) return false;
    const written = load<usize>(scratch + 8);
    ptr += written;
    len -= written;
  }
  return true;
}

function writeText(fd: u32, text: string): bool {
  const bytes = String.UTF8.encode(text);
  return writeAll(fd, changetype<usize>(bytes), bytes.byteLength);
}

/** Reads up to `len` bytes into `ptr`: the count, 0 at the end, -1 on an error. */
function readSome(fd: u32, ptr: usize, len: usize): isize {
  while (true) {
    store<usize>(scratch, ptr);
    store<usize>(scratch, len, sizeof<usize>());
    const errno = host.fd_read(fd, scratch, 1, scratch + 8);
    if (errno == ERRNO_INTR) continue;
    if (errno != 0) return -1;
    return <isize>load<usize>(scratch + 8);
  }
}

/** Reads `fd` to its end. */
function readToEnd(fd: u32): Result<Uint8Array> {
  let data = new Uint8Array(4096);
  let length = 0;
  while (true) {
    if (length == data.length) {
      const bigger = new Uint8Array(data.length * 2);
      bigger.set(data);
      data = bigger;
    }
    const n = readSome(fd, data.dataStart + length, data.length - length);
    if (n < 0) return Result.err<Uint8Array>("read failed");
    if (n == 0) return Result.ok<Uint8Array>(data.subarray(0, length));
    length += <i32>n;
  }
}

/** Writes `text` to standard output. */
export function print(text: string): void { writeText(1, text); }
/** Writes `text` and a line end to standard output. */
export function println(text: string): void { writeText(1, text + "\n"); }
/** Writes `text` to standard error. */
export function eprint(text: string): void { writeText(2, text); }
/** Writes `text` and a line end to standard error. */
export function eprintln(text: string): void { writeText(2, text + "\n"); }

/** Standard input, read line by line or to its end. */
export class Stdin {
  // What was read past the last line returned; null before the first read (no allocation in
  // the start function of every process).
  private static buffered: Uint8Array | null = null;
  private static ended: bool = false;

  private static get pending(): Uint8Array {
    let buffered = Stdin.buffered;
    if (!buffered) Stdin.buffered = buffered = new Uint8Array(0);
    return buffered;
  }

  private static set pending(bytes: Uint8Array) { Stdin.buffered = bytes; }

  /** The next line without its line end, or null at the end of input. */
  static readLine(): string | null {
    while (true) {
      const buffered = Stdin.pending;
      const newline = buffered.indexOf(10);
      if (newline >= 0) {
        Stdin.pending = buffered.subarray(newline + 1);
        return String.UTF8.decodeUnsafe(buffered.dataStart, newline);
      }
      if (Stdin.ended) {
        if (buffered.length == 0) return null;
        Stdin.pending = new Uint8Array(0);
        return String.UTF8.decodeUnsafe(buffered.dataStart, buffered.length);
      }
      const chunk = new Uint8Array(buffered.length + 4096);
      chunk.set(buffered);
      const n = readSome(0, chunk.dataStart + buffered.length, 4096);
      if (n <= 0) Stdin.ended = true;
      Stdin.pending = chunk.subarray(0, buffered.length + <i32>max<isize>(n, 0));
    }
  }

  /** The rest of standard input as text. */
  static readAll(): string {
    const rest = readToEnd(0).unwrapOr(new Uint8Array(0));
    const before = Stdin.pending;
    Stdin.pending = new Uint8Array(0);
    return String.UTF8.decodeUnsafe(before.dataStart, before.length) +
           String.UTF8.decodeUnsafe(rest.dataStart, rest.length);
  }
}

/** Reads a NUL-separated list of strings (argv, environ) with WASI's sizes/get pair. */
function stringList(sizes: (count: usize, size: usize) => u16, get: (list: usize, buf: usize) => u16): string[] {
  sizes(scratch, scratch + 4);
  const count = load<u32>(scratch);
  const pointers = new ArrayBuffer(<i32>count * 4);
  const bytes = new ArrayBuffer(<i32>load<u32>(scratch + 4));
  get(changetype<usize>(pointers), changetype<usize>(bytes));
  const list = new Array<string>();
  for (let i: u32 = 0; i < count; i++) {
    const start = load<usize>(changetype<usize>(pointers) + i * 4);
    let end = start;
    while (load<u8>(end) != 0) end++;
    list.push(String.UTF8.decodeUnsafe(start, end - start));
  }
  return list;
}

/** The command-line arguments, the program's name first. */
export function args(): string[] {
  return stringList(host.args_sizes_get, host.args_get);
}

/** The value of environment variable `name`, or null. */
export function env(name: string): string | null {
  const all = stringList(host.environ_sizes_get, host.environ_get);
  for (let i = 0; i < all.length; i++) {
    const entry = all[i];
    if (entry.length > name.length && entry.charCodeAt(name.length) == 61 /* = */ && entry.startsWith(name)) {
      return entry.substring(name.length + 1);
    }
  }
  return null;
}

/** Ends the process with `code` (the program, for the first process). */
export function exit(code: u32): void {
  host.proc_exit(code);
}

/** Nanoseconds of the monotonic clock. */
export function monotonicNanos(): u64 {
  host.clock_time_get(1, 1000, scratch);
  return load<u64>(scratch);
}

/** Milliseconds since 1970 (the real-time clock). */
export function nowMillis(): u64 {
  host.clock_time_get(0, 1000, scratch);
  return load<u64>(scratch) / 1000000;
}

/** `count` random bytes from the host. */
export function randomBytes(count: i32): Uint8Array {
  const bytes = new Uint8Array(count);
  host.random_get(bytes.dataStart, count);
  return bytes;
}

// ---- files ---------------------------------------------------------------------------------

// WASI rights: read, seek, tell, write, ... all that a file handle may need; the runtime
// narrows them to what the directory's grant allows.
const RIGHTS_ALL: u64 = 0x1FFFFFFF;
const OFLAG_CREAT: u16 = 1;
const OFLAG_TRUNC: u16 = 8;
const FDFLAG_APPEND: u16 = 1;

/** The preopened directory that holds `path` and the path within it. */
class Located {
  constructor(readonly dirFd: u32, readonly rest: string) {}
}

/** Finds the preopened directory (fd 3 onwards) whose name is the longest prefix of `path`. */
function locate(path: string): Located | null {
  let bestFd: u32 = 0;
  let bestLength = -1;
  for (let fd: u32 = 3; ; fd++) {
    if (host.fd_prestat_get(fd, scratch) != 0) break;
    const nameLength = load<u32>(scratch + 4);
    const name = new ArrayBuffer(<i32>nameLength);
    host.fd_prestat_dir_name(fd, changetype<usize>(name), nameLength);
    let dir = String.UTF8.decode(name);
    while (dir.length > 1 && dir.endsWith("/")) dir = dir.substring(0, dir.length - 1);
    const covers = dir == "." ? !path.startsWith("/")
      : path == dir || (path.startsWith(dir) && (dir.endsWith("/") || path.charCodeAt(dir.length) == 47));
    if (covers && dir.length > bestLength) {
      bestFd = fd;
      bestLength = dir.length;
    }
  }
  if (bestLength < 0) return null;
  let rest = path;
  if (bestLength > 1 || !path.startsWith(".")) rest = path.substring(bestLength);
  while (rest.startsWith("/")) rest = rest.substring(1);
  return new Located(bestFd, rest.length ? rest : ".");
}

/** What a File is opened for. */
export const enum OpenMode {
  /** Reading an existing file. */
  Read = 0,
  /** Writing a new file, or replacing an old one's contents. */
  Write = 1,
  /** Writing at the end of a file, made if missing. */
  Append = 2,
}

/** A file of a directory the process was granted. */
export class File {
  private constructor(private fd: u32) {}

  /** Opens `path` (say "/data/notes.txt", inside a preopened directory). */
  static open(path: string, mode: OpenMode = OpenMode.Read): Result<File> {
    const where = locate(path);
    if (!where) return Result.err<File>(path + ": not inside a directory the process was granted");
    const name = String.UTF8.encode(where.rest);
    let oflags: u16 = 0;
    let fdflags: u16 = 0;
    if (mode == OpenMode.Write) oflags = OFLAG_CREAT | OFLAG_TRUNC;
    if (mode == OpenMode.Append) { oflags = OFLAG_CREAT; fdflags = FDFLAG_APPEND; }
    const errno = host.path_open(where.dirFd, 1 /* follow symlinks */, changetype<usize>(name), name.byteLength,
                                 oflags, RIGHTS_ALL, RIGHTS_ALL, fdflags, scratch);
    if (errno != 0) return Result.err<File>(path + ": " + errnoText(errno));
    return Result.ok<File>(new File(load<u32>(scratch)));
  }

  /** Reads up to `buffer.length` bytes: the count, 0 at the end. */
  read(buffer: Uint8Array): Result<i32> {
    const n = readSome(this.fd, buffer.dataStart, buffer.length);
    return n < 0 ? Result.err<i32>("read failed") : Result.ok<i32>(<i32>n);
  }

  /** The rest of the file. */
  readAll(): Result<Uint8Array> { return readToEnd(this.fd); }

  /** Writes all of `bytes`. */
  write(bytes: Uint8Array): Result<bool> {
    return writeAll(this.fd, bytes.dataStart, bytes.length) ? Result.ok<bool>(true) : Result.err<bool>("write failed");
  }

  /** Writes `text`, UTF-8. */
  writeString(text: string): Result<bool> {
    const bytes = String.UTF8.encode(text);
    return writeAll(this.fd, changetype<usize>(bytes), bytes.byteLength) ? Result.ok<bool>(true) : Result.err<bool>("write failed");
  }

  close(): void {
    if (this.fd != 0) host.fd_close(this.fd);
    this.fd = 0;
  }
}

/** The contents of the file `path` as text. */
export function readTextFile(path: string): Result<string> {
  const opened = File.open(path);
  if (opened.isErr) return Result.err<string>(opened.error);
  const file = opened.unwrap();
  const data = file.readAll();
  file.close();
  if (data.isErr) return Result.err<string>(path + ": " + data.error);
  const bytes = data.unwrap();
  return Result.ok<string>(String.UTF8.decodeUnsafe(bytes.dataStart, bytes.length));
}

/** Makes `path` hold `text`. */
export function writeTextFile(path: string, text: string): Result<bool> {
  const opened = File.open(path, OpenMode.Write);
  if (opened.isErr) return Result.err<bool>(opened.error);
  const file = opened.unwrap();
  const written = file.writeString(text);
  file.close();
  return written;
}

/** Runs a path call on `path` inside its granted directory. */
function pathCall(path: string, call: (dir: u32, name: usize, length: usize) => u16): Result<bool> {
  const where = locate(path);
  if (!where) return Result.err<bool>(path + ": not inside a directory the process was granted");
  const name = String.UTF8.encode(where.rest);
  const errno = call(where.dirFd, changetype<usize>(name), name.byteLength);
  return errno == 0 ? Result.ok<bool>(true) : Result.err<bool>(path + ": " + errnoText(errno));
}

/** Removes the file `path`. */
export function removeFile(path: string): Result<bool> { return pathCall(path, host.path_unlink_file); }

/** Makes the directory `path`. */
export function createDirectory(path: string): Result<bool> { return pathCall(path, host.path_create_directory); }
