// Turns the bytes a telnet client sends into clean lines of text: the same machine as
// examples/chat/line.h (which says why each rule is there). Telnet commands are dropped,
// CR or LF ends a line, printable ASCII and well-formed UTF-8 other than C1 controls are
// kept, other bytes become '?' or vanish, and a line keeps at most LINE_MAX_TEXT bytes.

export const LINE_MAX_TEXT = 400;

const TELNET_SE: u8 = 240;
const TELNET_SB: u8 = 250;
const TELNET_WILL: u8 = 251;
const TELNET_DONT: u8 = 254;
const TELNET_IAC: u8 = 255;
const QUESTION: u8 = 0x3F;

const enum State { Text, Iac, Option, Sub, SubIac }

export class LineDecoder {
  private state: State = State.Text;
  private utf8Left: i32 = 0;
  private utf8Have: i32 = 0;
  private utf8: Uint8Array = new Uint8Array(4);
  private bytes: Uint8Array = new Uint8Array(LINE_MAX_TEXT);
  private length: i32 = 0;
  /** The line was longer than LINE_MAX_TEXT bytes. */
  truncated: bool = false;

  /** The line completed by the byte for which `push` returned true. */
  get text(): string { return String.UTF8.decodeUnsafe(this.bytes.dataStart, this.length); }

  /** Starts the next line after `push` returned true. */
  next(): void {
    this.truncated = false;
    this.length = 0;
    this.utf8Left = this.utf8Have = 0;
  }

  /** Feeds one byte from the connection; true when it ended a non-empty line. */
  push(byte: u8): bool {
    switch (this.state) {
      case State.Text:
        if (byte == TELNET_IAC) {
          this.state = State.Iac;
          return false;
        }
        return this.textByte(byte);
      case State.Iac:
        if (byte == TELNET_SB) this.state = State.Sub;
        else if (byte >= TELNET_WILL && byte <= TELNET_DONT) this.state = State.Option;
        else this.state = State.Text;
        return false;
      case State.Option:
        this.state = State.Text;
        return false;
      case State.Sub:
        if (byte == TELNET_IAC) this.state = State.SubIac;
        return false;
      default:
        this.state = byte == TELNET_SE ? State.Text : State.Sub;
        return false;
    }
  }

  private append(from: usize, count: i32): void {
    if (this.truncated || this.length + count > LINE_MAX_TEXT) {
      this.truncated = true;
      return;
    }
    memory.copy(this.bytes.dataStart + this.length, from, count);
    this.length += count;
  }

  private appendByte(byte: u8): void {
    const one = memory.data(1);
    store<u8>(one, byte);
    this.append(one, 1);
  }

  private dropPartial(): void {
    if (this.utf8Have) this.appendByte(QUESTION);
    this.utf8Left = this.utf8Have = 0;
  }

  private textByte(byte: u8): bool {
    if (this.utf8Left) {
      if ((byte & 0xC0) == 0x80) {
        this.utf8[this.utf8Have++] = byte;
        if (--this.utf8Left == 0) {
          if (utf8Ok(this.utf8, this.utf8Have)) this.append(this.utf8.dataStart, this.utf8Have);
          else this.appendByte(QUESTION);
          this.utf8Have = 0;
        }
        return false;
      }
      this.dropPartial();
    }
    if (byte == 13 || byte == 10) return this.length > 0 || this.truncated;
    if (byte == 9) byte = 32;
    if (byte >= 0x20 && byte < 0x7F) {
      this.appendByte(byte);
    } else if (byte >= 0x80) {
      const tail = utf8Tail(byte);
      if (tail) {
        this.utf8[0] = byte;
        this.utf8Have = 1;
        this.utf8Left = tail;
      } else {
        this.appendByte(QUESTION);
      }
    }
    return false;
  }
}

function utf8Tail(byte: u8): i32 {
  if (byte >= 0xC2 && byte <= 0xDF) return 1;
  if (byte >= 0xE0 && byte <= 0xEF) return 2;
  if (byte >= 0xF0 && byte <= 0xF4) return 3;
  return 0;
}

function utf8Ok(c: Uint8Array, n: i32): bool {
  if (n == 2) return !(c[0] == 0xC2 && c[1] < 0xA0);
  if (n == 3) {
    if (c[0] == 0xE0 && c[1] < 0xA0) return false;
    if (c[0] == 0xED && c[1] >= 0xA0) return false;
    return true;
  }
  if (c[0] == 0xF0 && c[1] < 0x90) return false;
  if (c[0] == 0xF4 && c[1] >= 0x90) return false;
  return true;
}
