#!/usr/bin/env python3
"""Stack isolation: a frame that does not fit traps in its own process, whatever its size and
wherever it lands, and no byte of it reaches the stack below.

Process stacks lie next to each other with no guard page between them (runtime/process/
stack.h); generated code checks frames against the stack's limit (abi.h). This test
generates a module whose functions have frames from a few KB to more than a whole stack,
compiles it with the flags given, and runs it (one worker thread, so that stacks are handed
out in a known order: the pool gives each new process the stack just below the last one,
and a freed stack to the next process). Its root process:

  - parks a holder process on a stack S, then spawns neighbours below S, each of which
    fills nearly all of its own stack with frames holding a pattern (values it loaded
    from its memory and compares after every return) and waits; then frees S;
  - finds the deepest recursion of a small padding function that fits on S;
  - for each big frame, runs it in a new process on S at the end of padding recursions of
    every depth from that deepest one upwards, one at a time, so that the frame lands at
    every offset around the limit (a padding frame apart: 48 bytes at -O2, 96 at -O0), until
    it fits 64 times in a row (a frame larger than the stack: 4096 depths, then the 16
    shallowest);
  - after each frame, has the neighbours unwind and check every frame, then fill again.

Each prober must either finish or die of a stack trap that names its big frame (or the
function that frame calls); once a frame fits, it must fit at every shallower depth; frames
of a page or more must trap at the deepest padding, fit exactly where the stack has room for
them, and frames larger than a stack never; the neighbours must be intact; and the
executable must exit with the root's status, 0. The sizes of the big frames are read from
the executable (the frame size the prologue hands to lunatic_stack_probe).

Building a large frame costs LLVM time that grows faster than the frame: at -O2 a 112 KB
frame takes 15 s, and one larger than a stack minutes, so at -O2 the largest frame is
112 KB; at -O0 (linear) one frame is larger than the whole 1 MiB stack.

On aarch64 (lunaticc flags --target aarch64-linux-gnu, run through --wrapper, e.g.
qemu-aarch64-static) no probe checks a frame before its prologue: the runtime keeps twice
the largest frame free below every limit instead (abi.h, LUNATIC_FRAME_SIZES_SECTION), and a
function traps when its frame pointer is below the limit, whatever its frame's size. So
there every frame fits at the same depths and the frame sizes and fit points are not
checked; the rest is: probers finish or trap in their frame, the neighbours stay intact.

Usage: stack_frames.py LUNATICC WORKDIR [--wrapper WRAPPER] [lunaticc flags...]
"""
import os
import re
import subprocess
import sys

PAGE = 4096
STACK = 1024 * 1024
RESERVE = 64 * 1024 + 4 * PAGE  # kHostReserve + LUNATIC_STACK_OVERREACH: limit - low

# The big frames: name, v128 arguments of a call it makes, v128 locals, and what a frame of
# that size must do. At -O2 the frame is the call's outgoing arguments (16 bytes each past
# the eight passed in registers; the callee's frame stays small); at -O0 it is a slot per
# local (16 bytes), and, for the largest, also the arguments (about 32 bytes each at -O0),
# as a function may have no more than 50,000 locals.
FITS, TRAPS_AT_LIMIT, NEVER_FITS = "fits", "traps at the limit", "never fits"
FRAMES = {
    2: [("big_3k", 200, 0, FITS), ("big_4k", 280, 0, TRAPS_AT_LIMIT),
        ("big_60k", 3848, 0, TRAPS_AT_LIMIT), ("big_112k", 7176, 0, TRAPS_AT_LIMIT)],
    0: [("big_3k", 0, 180, FITS), ("big_4k", 0, 270, TRAPS_AT_LIMIT),
        ("big_60k", 0, 3840, TRAPS_AT_LIMIT), ("big_112k", 0, 7168, TRAPS_AT_LIMIT),
        ("big_1m", 12288, 49000, NEVER_FITS)],
}
# The least size each frame must have: a page (the prologue calls the probe); close to the
# host reserve; 16 KiB more than the limit lies above the stack's lowest byte (unchecked,
# such a frame would reach into the next stack); more than the whole stack. big_3k must be
# smaller than a page (its entry compare alone checks it).
MINIMUM_SIZE = {"big_4k": PAGE, "big_60k": 56 * 1024, "big_112k": RESERVE + 16 * 1024, "big_1m": STACK}

NEIGHBOURS = 3
TAG_GO, TAG_RESULT, TAG_CHECK, TAG_STOP, TAG_READY = 1, 2, 3, 4, 5
TIMEOUT_MS = 60000
# Memory: scratch below 1024, strings from 1024, the neighbours' pattern in the second page.
IOV, NWRITTEN, PID, MSG, NUMBUF, PARAMS, NBS, TEXT, STRINGS = 0, 8, 16, 24, 32, 64, 160, 256, 1024
SINK, PATTERN, PATTERN_WORDS = 4096, 65536, 8192


class Strings:
    """String constants in a data segment, as (i32.const ptr) (i32.const len) operands."""

    def __init__(self):
        self.data = bytearray()

    def __call__(self, text):
        raw = text.encode()
        at = STRINGS + len(self.data)
        self.data += raw
        return f"(i32.const {at}) (i32.const {len(raw)})"

    def segment(self):
        escaped = "".join(f"\\{b:02x}" for b in self.data)
        return f'(data (i32.const {STRINGS}) "{escaped}")'


def generate(frames):
    s = Strings()
    bigs = "\n".join(big_function(name, args, locals_, 1 + len(frames) + i)
                     for i, (name, args, locals_, _) in enumerate(frames))
    sinks = "\n".join(f"(type $wide_{name} (func (param {' '.join(['v128'] * max(args, 1))})))\n"
                      f"(func $sink_{name} (type $wide_{name}) (v128.store (i32.const {SINK}) (local.get 0)))"
                      for name, args, _, _ in frames)
    table = " ".join(f"${name}" for name, _, _, _ in frames) + " " + \
        " ".join(f"$sink_{name}" for name, _, _, _ in frames)
    sweeps = "\n".join(
        f"(call $sweep (i32.const {i + 1}) {s(name)} (i32.const {int(kind == NEVER_FITS)})"
        f" (i32.const {int(kind != FITS)}))\n(call $check_neighbours (i32.const {TAG_CHECK}))"
        for i, (name, _, _, kind) in enumerate(frames))
    body = f"""
(module
  (type $entry (func (param i64 i32 i32 i32)))
  (type $frame (func (param i32) (result i64)))
  (import "lunatic::process" "spawn" (func $spawn_raw (param i64 i64 i64 i32 i32 i32 i32 i32) (result i32)))
  (import "lunatic::process" "monitor" (func $monitor (param i64)))
  (import "lunatic::process" "process_id" (func $self (result i64)))
  (import "lunatic::message" "create_data" (func $create_data (param i64 i64)))
  (import "lunatic::message" "write_data" (func $write_data (param i32 i32) (result i32)))
  (import "lunatic::message" "read_data" (func $read_data (param i32 i32) (result i32)))
  (import "lunatic::message" "send" (func $send (param i64) (result i32)))
  (import "lunatic::message" "receive" (func $receive (param i32 i32 i64) (result i32)))
  (import "lunatic::message" "get_process_id" (func $message_process (result i64)))
  (import "lunatic::message" "get_tag" (func $message_tag (result i64)))
  (import "wasi_snapshot_preview1" "fd_write" (func $fd_write (param i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "proc_exit" (func $proc_exit (param i32)))
  (memory 3)
  (table {2 * len(frames) + 1} funcref)
  (elem (i32.const 1) {table})
  (global $out (mut i32) (i32.const 0))     ;; bytes of the line being built at TEXT
  (global $stop (mut i32) (i32.const 0))    ;; a neighbour was told to stop
  (global $dmax (mut i32) (i32.const 0))    ;; the deepest padding that fits

  ;; ---- Output: one write per line, so lines of processes never mix ----
  (func $put (param $ptr i32) (param $len i32)
    (local $i i32)
    (block $done (loop $next
      (br_if $done (i32.ge_u (local.get $i) (local.get $len)))
      (i32.store8 (i32.add (i32.const {TEXT}) (i32.add (global.get $out) (local.get $i)))
                  (i32.load8_u (i32.add (local.get $ptr) (local.get $i))))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br $next)))
    (global.set $out (i32.add (global.get $out) (local.get $len))))
  (func $put_num (param $n i64)
    (local $i i32)
    (local.set $i (i32.const 24))
    (loop $digit
      (local.set $i (i32.sub (local.get $i) (i32.const 1)))
      (i32.store8 (i32.add (i32.const {NUMBUF}) (local.get $i))
                  (i32.add (i32.const 48) (i32.wrap_i64 (i64.rem_u (local.get $n) (i64.const 10)))))
      (local.set $n (i64.div_u (local.get $n) (i64.const 10)))
      (br_if $digit (i64.ne (local.get $n) (i64.const 0))))
    (call $put (i32.add (i32.const {NUMBUF}) (local.get $i)) (i32.sub (i32.const 24) (local.get $i))))
  (func $line
    (i32.store8 (i32.add (i32.const {TEXT}) (global.get $out)) (i32.const 10))
    (i32.store (i32.const {IOV}) (i32.const {TEXT}))
    (i32.store (i32.const {IOV + 4}) (i32.add (global.get $out) (i32.const 1)))
    (drop (call $fd_write (i32.const 1) (i32.const {IOV}) (i32.const 1) (i32.const {NWRITTEN})))
    (global.set $out (i32.const 0)))
  (func $fail (param $ptr i32) (param $len i32)
    (global.set $out (i32.const 0))
    (call $put {s("FAIL ")})
    (call $put (local.get $ptr) (local.get $len))
    (call $line)
    (call $proc_exit (i32.const 1)))

  ;; ---- Processes and messages ----
  (func $record (param $at i32) (param $type i32) (param $value i64)
    (i32.store8 (local.get $at) (local.get $type))
    (i64.store (i32.add (local.get $at) (i32.const 1)) (local.get $value))
    (i64.store (i32.add (local.get $at) (i32.const 9)) (i64.const 0)))
  ;; Spawns export fn(self, depth, x, 0): every child entry has that signature.
  (func $spawn (param $fn i32) (param $fn_len i32) (param $depth i32) (param $x i32) (result i64)
    (call $record (i32.const {PARAMS}) (i32.const 0x7e) (call $self))
    (call $record (i32.const {PARAMS + 17}) (i32.const 0x7f) (i64.extend_i32_u (local.get $depth)))
    (call $record (i32.const {PARAMS + 34}) (i32.const 0x7f) (i64.extend_i32_u (local.get $x)))
    (call $record (i32.const {PARAMS + 51}) (i32.const 0x7f) (i64.const 0))
    (if (call $spawn_raw (i64.const 0) (i64.const -1) (i64.const -1) (local.get $fn) (local.get $fn_len)
                         (i32.const {PARAMS}) (i32.const 68) (i32.const {PID}))
      (then (call $fail {s("spawn failed")})))
    (i64.load (i32.const {PID})))
  (func $send_value (param $to i64) (param $tag i64) (param $value i64)
    (call $create_data (local.get $tag) (i64.const 8))
    (i64.store (i32.const {MSG}) (local.get $value))
    (drop (call $write_data (i32.const {MSG}) (i32.const 8)))
    (drop (call $send (local.get $to))))
  ;; Waits for a data message: its tag; its value at MSG.
  (func $await (result i32)
    (if (call $receive (i32.const 0) (i32.const 0) (i64.const {TIMEOUT_MS}))
      (then (call $fail {s("no message came")})))
    (i64.store (i32.const {MSG}) (i64.const 0))
    (drop (call $read_data (i32.const {MSG}) (i32.const 8)))
    (i32.wrap_i64 (call $message_tag)))
  (func $await_death (param $pid i64)
    (loop $wait
      (if (i32.ne (call $receive (i32.const 0) (i32.const 0) (i64.const {TIMEOUT_MS})) (i32.const 2))
        (then (call $fail {s("a data message came instead of a death")})))
      (br_if $wait (i64.ne (call $message_process) (local.get $pid)))))
  ;; Runs fn(self, depth, x) to its end: the value it sent, or -1 if it sent none (it died).
  (func $run_child (param $fn i32) (param $fn_len i32) (param $depth i32) (param $x i32) (result i64)
    (local $pid i64) (local $status i32) (local $result i64)
    (local.set $pid (call $spawn (local.get $fn) (local.get $fn_len) (local.get $depth) (local.get $x)))
    (call $monitor (local.get $pid))
    (call $send_value (local.get $pid) (i64.const {TAG_GO}) (i64.const 0))
    (local.set $result (i64.const -1))
    (block $ended (loop $wait
      (local.set $status (call $receive (i32.const 0) (i32.const 0) (i64.const {TIMEOUT_MS})))
      (if (i32.eq (local.get $status) (i32.const 2))
        (then (br_if $ended (i64.eq (call $message_process) (local.get $pid)))
              (call $fail {s("another process died")})))
      (if (local.get $status) (then (call $fail {s("a child did not end")})))
      (drop (call $read_data (i32.const {MSG}) (i32.const 8)))
      (local.set $result (i64.load (i32.const {MSG})))
      (br $wait)))
    (local.get $result))
  ;; The deepest recursion of fn(depth, x) that ends with its value 1.
  (func $max_depth (param $fn i32) (param $fn_len i32) (param $x i32) (result i32)
    (local $lo i32) (local $hi i32) (local $mid i32)
    (local.set $hi (i32.const 131072))
    (if (i64.ne (call $run_child (local.get $fn) (local.get $fn_len) (i32.const 0) (local.get $x)) (i64.const 1))
      (then (call $fail {s("a child failed without recursion")})))
    (block $found (loop $halve
      (br_if $found (i32.le_u (i32.sub (local.get $hi) (local.get $lo)) (i32.const 1)))
      (local.set $mid (i32.shr_u (i32.add (local.get $lo) (local.get $hi)) (i32.const 1)))
      (if (i64.eq (call $run_child (local.get $fn) (local.get $fn_len) (local.get $mid) (local.get $x)) (i64.const 1))
        (then (local.set $lo (local.get $mid)))
        (else (local.set $hi (local.get $mid))))
      (br $halve)))
    (local.get $lo))

  ;; ---- The prober: padding recursion, then a big frame ----
  (func $prober (export "prober") (type $entry)
    (drop (call $await))
    (drop (call $pad (local.get 1) (local.get 2)))
    (call $send_value (local.get 0) (i64.const {TAG_RESULT}) (i64.const 1)))
  (func $pad (param $depth i32) (param $which i32) (result i64)
    (if (result i64) (local.get $depth)
      (then (i64.add (call $pad (i32.sub (local.get $depth) (i32.const 1)) (local.get $which)) (i64.const 1)))
      (else (if (result i64) (local.get $which)
        (then (call_indirect (type $frame) (i32.const {SINK}) (local.get $which)))
        (else (i64.const 0))))))
{bigs}
{sinks}

  ;; ---- Neighbours: stacks full of frames that check themselves ----
  (func $neighbour (export "neighbour") (type $entry)
    (local $i i32) (local $x i64)
    (drop (call $await))
    (loop $next
      (local.set $x (i64.mul (i64.extend_i32_u (i32.add (local.get $i) (i32.const 1))) (i64.const 0x9e3779b97f4a7c15)))
      (i64.store (i32.add (i32.const {PATTERN}) (i32.shl (local.get $i) (i32.const 3)))
                 (i64.or (i64.xor (local.get $x) (i64.shr_u (local.get $x) (i64.const 29))) (i64.const 1)))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br_if $next (i32.lt_u (local.get $i) (i32.const {PATTERN_WORDS}))))
    (loop $round
      (call $send_value (local.get 0) (i64.const {TAG_RESULT})
                        (call $fill (local.get 1) (local.get 2) (local.get 0)))
      (br_if $round (i32.and (local.get 2) (i32.eqz (global.get $stop))))))
  ;; 1 if every frame below held its values; at the bottom, with $wait, reports READY and
  ;; waits for CHECK (unwind, then fill again) or STOP.
  (func $fill (param $depth i32) (param $wait i32) (param $parent i64) (result i64)
    (local $at i32) (local $ok i64)
    (local $a0 i64) (local $a1 i64) (local $a2 i64) (local $a3 i64)
    (local $a4 i64) (local $a5 i64) (local $a6 i64) (local $a7 i64)
    (if (i32.eqz (local.get $depth))
      (then
        (if (local.get $wait)
          (then
            (call $send_value (local.get $parent) (i64.const {TAG_READY}) (i64.const 0))
            (if (i32.eq (call $await) (i32.const {TAG_STOP})) (then (global.set $stop (i32.const 1))))))
        (return (i64.const 1))))
    (local.set $at (i32.add (i32.const {PATTERN}) (i32.and (i32.shl (local.get $depth) (i32.const 6)) (i32.const 0xffc0))))
    (local.set $a0 (i64.load offset=0 (local.get $at)))
    (local.set $a1 (i64.load offset=8 (local.get $at)))
    (local.set $a2 (i64.load offset=16 (local.get $at)))
    (local.set $a3 (i64.load offset=24 (local.get $at)))
    (local.set $a4 (i64.load offset=32 (local.get $at)))
    (local.set $a5 (i64.load offset=40 (local.get $at)))
    (local.set $a6 (i64.load offset=48 (local.get $at)))
    (local.set $a7 (i64.load offset=56 (local.get $at)))
    (local.set $ok (call $fill (i32.sub (local.get $depth) (i32.const 1)) (local.get $wait) (local.get $parent)))
    (if (i32.or (i32.or (i32.or (i64.ne (local.get $a0) (i64.load offset=0 (local.get $at)))
                                (i64.ne (local.get $a1) (i64.load offset=8 (local.get $at))))
                        (i32.or (i64.ne (local.get $a2) (i64.load offset=16 (local.get $at)))
                                (i64.ne (local.get $a3) (i64.load offset=24 (local.get $at)))))
                (i32.or (i32.or (i64.ne (local.get $a4) (i64.load offset=32 (local.get $at)))
                                (i64.ne (local.get $a5) (i64.load offset=40 (local.get $at))))
                        (i32.or (i64.ne (local.get $a6) (i64.load offset=48 (local.get $at)))
                                (i64.ne (local.get $a7) (i64.load offset=56 (local.get $at))))))
      (then (local.set $ok (i64.const 0))))
    (local.get $ok))
  ;; Holds a stack until its second message.
  (func $holder (export "holder") (type $entry)
    (drop (call $await))
    (drop (call $await)))

  ;; ---- The root ----
  (func $check_neighbours (param $tag i32)
    (local $i i32)
    (loop $tell
      (call $send_value (i64.load (i32.add (i32.const {NBS}) (i32.shl (local.get $i) (i32.const 3))))
                        (i64.extend_i32_u (local.get $tag)) (i64.const 0))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br_if $tell (i32.lt_u (local.get $i) (i32.const {NEIGHBOURS}))))
    (call $collect (i32.const {NEIGHBOURS}) (select (i32.const 0) (i32.const {NEIGHBOURS}) (i32.eq (local.get $tag) (i32.const {TAG_STOP})))))
  ;; Collects RESULT and READY messages of the neighbours; every result must be 1.
  (func $collect (param $results i32) (param $ready i32)
    (local $tag i32)
    (block $done (loop $next
      (br_if $done (i32.eqz (i32.or (local.get $results) (local.get $ready))))
      (local.set $tag (call $await))
      (if (i32.eq (local.get $tag) (i32.const {TAG_READY}))
        (then (local.set $ready (i32.sub (local.get $ready) (i32.const 1))))
        (else
          (if (i32.ne (local.get $tag) (i32.const {TAG_RESULT})) (then (call $fail {s("unexpected message")})))
          (if (i64.ne (i64.load (i32.const {MSG})) (i64.const 1))
            (then (call $fail {s("a neighbour found its stack overwritten")})))
          (local.set $results (i32.sub (local.get $results) (i32.const 1)))))
      (br $next))))
  ;; Runs big frame `which` below every depth of padding from the deepest up.
  (func $sweep (param $which i32) (param $name i32) (param $name_len i32) (param $never_fits i32) (param $must_trap i32)
    (local $depth i32) (local $fits i32) (local $traps i32) (local $first_fit i32) (local $limit i32)
    (local.set $depth (global.get $dmax))
    (local.set $first_fit (i32.const -1))
    (local.set $limit (select (i32.const 4096) (i32.const 16384) (local.get $never_fits)))
    (block $done (loop $next
      (br_if $done (i32.lt_s (local.get $depth) (i32.const 0)))
      (br_if $done (i32.ge_u (local.get $fits) (i32.const 64)))
      (br_if $done (i32.ge_u (i32.add (local.get $fits) (local.get $traps)) (local.get $limit)))
      (if (i64.eq (call $run_child {s("prober")} (local.get $depth) (local.get $which)) (i64.const 1))
        (then
          (if (i32.lt_s (local.get $first_fit) (i32.const 0)) (then (local.set $first_fit (local.get $depth))))
          (local.set $fits (i32.add (local.get $fits) (i32.const 1))))
        (else
          (if (local.get $fits) (then (call $fail {s("a frame trapped below a depth where it fit")})))
          (local.set $traps (i32.add (local.get $traps) (i32.const 1)))))
      (local.set $depth (i32.sub (local.get $depth) (i32.const 1)))
      (br $next)))
    (if (local.get $never_fits) (then
      (local.set $depth (i32.const 0))
      (loop $shallow
        (if (i64.eq (call $run_child {s("prober")} (local.get $depth) (local.get $which)) (i64.const 1))
          (then (local.set $fits (i32.add (local.get $fits) (i32.const 1))))
          (else (local.set $traps (i32.add (local.get $traps) (i32.const 1)))))
        (local.set $depth (i32.add (local.get $depth) (i32.const 1)))
        (br_if $shallow (i32.lt_u (local.get $depth) (i32.const 16))))
      (if (local.get $fits) (then (call $fail {s("a frame larger than the stack ran")})))))
    (if (i32.and (i32.eqz (local.get $never_fits)) (i32.lt_u (local.get $fits) (i32.const 64)))
      (then (call $fail {s("a frame that fits a stack did not fit")})))
    (if (i32.and (local.get $must_trap) (i32.eqz (local.get $traps)))
      (then (call $fail {s("a frame of a page or more ran past the limit")})))
    (call $put {s("frame ")})
    (call $put (local.get $name) (local.get $name_len))
    (call $put {s(": trapped ")})
    (call $put_num (i64.extend_i32_u (local.get $traps)))
    (call $put {s(" fit ")})
    (call $put_num (i64.extend_i32_u (local.get $fits)))
    (call $put {s(" first fit ")})
    (if (i32.ge_s (local.get $first_fit) (i32.const 0))
      (then (call $put_num (i64.extend_i32_u (i32.sub (global.get $dmax) (local.get $first_fit))))
            (call $put {s(" frames above the deepest padding")}))
      (else (call $put {s("none")})))
    (call $line))
  (func $start (export "_start")
    (local $holder i64) (local $dfill i32) (local $i i32)
    ;; The stack every prober runs on, held while the neighbours take the stacks below it.
    (local.set $holder (call $spawn {s("holder")} (i32.const 0) (i32.const 0)))
    (call $monitor (local.get $holder))
    (call $send_value (local.get $holder) (i64.const {TAG_GO}) (i64.const 0))
    (local.set $dfill (call $max_depth {s("neighbour")} (i32.const 0)))
    (loop $spawn_neighbours
      (i64.store (i32.add (i32.const {NBS}) (i32.shl (local.get $i) (i32.const 3)))
                 (call $spawn {s("neighbour")} (i32.sub (local.get $dfill) (i32.const 8)) (i32.const 1)))
      (call $send_value (i64.load (i32.add (i32.const {NBS}) (i32.shl (local.get $i) (i32.const 3))))
                        (i64.const {TAG_GO}) (i64.const 0))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br_if $spawn_neighbours (i32.lt_u (local.get $i) (i32.const {NEIGHBOURS}))))
    (call $collect (i32.const 0) (i32.const {NEIGHBOURS}))
    (call $send_value (local.get $holder) (i64.const {TAG_GO}) (i64.const 0))
    (call $await_death (local.get $holder))
    (global.set $dmax (call $max_depth {s("prober")} (i32.const 0)))
    (call $put {s("neighbours fill ")})
    (call $put_num (i64.extend_i32_u (local.get $dfill)))
    (call $put {s(" frames; padding fits ")})
    (call $put_num (i64.extend_i32_u (global.get $dmax)))
    (call $put {s(" frames")})
    (call $line)
{sweeps}
    (call $check_neighbours (i32.const {TAG_STOP}))
    (call $put {s("stack frames: all ok")})
    (call $line))
  {s.segment()}
)
"""
    return body


def big_function(name, args, locals_, sink_index):
    """A big frame: the outgoing arguments of a call and the slots of locals (see FRAMES)."""
    arguments = " ".join(["(local.get 1)"] * args)
    call = f"(call_indirect (type $wide_{name}) {arguments} (i32.const {sink_index}))" if args else ""
    return (f"(func ${name} (type $frame) (local {' '.join(['v128'] * (locals_ + 1))})\n"
            f"  (local.set 1 (v128.load (local.get 0)))\n"
            f"  {call}\n"
            f"  (v128.store (i32.const {SINK + 16}) (local.get {locals_ + 1}))\n"
            f"  (i64.const 1))")


def frame_sizes(exe, names):
    """Each big function's frame as its prologue hands it to lunatic_stack_probe (bytes)."""
    listing = subprocess.run(["objdump", "-d", "--no-show-raw-insn", exe], capture_output=True, text=True,
                             check=True).stdout
    sizes = {}
    for name in names:
        body = re.search(rf"<(?:\S+\.)?{name}>:\n(.*?)\n\n", listing, re.S)
        probe = body and re.search(r"mov\s+\$0x([0-9a-f]+),%eax\n.*call\s+\S+ <lunatic_stack_probe>", body.group(1))
        sizes[name] = int(probe.group(1), 16) if probe else None
    return sizes


def check_fit_points(stdout, sizes, names):
    """A frame must fit exactly when the stack has room for it: the padding frames it needs
    above the deepest padding (where padding itself reaches the limit) must hold its size,
    and not much more. A padding frame's size comes from the frames' own sizes and fit points."""
    points = []
    for name in names:
        found = re.search(rf"^frame {name}: .* first fit (\d+) frames", stdout, re.M)
        if not found or sizes.get(name) is None:
            return [f"{name}: no fit point or frame size"]
        points.append((sizes[name], int(found.group(1)), name))
    points.sort()
    (smallest, first, _), (largest, last, _) = points[0], points[-1]
    if last <= first:
        return [f"the frames fit at the same depth, {first} padding frames above the deepest, whatever their size"]
    padding = (largest - smallest) / (last - first)
    print(f"a padding frame takes {padding:.1f} bytes")
    problems = []
    for size, fit, name in points:
        room = fit * padding
        if not size - 2 * padding <= room <= size + 2 * padding + 512:
            problems.append(f"{name}: a frame of {size} bytes fits with {room:.0f} bytes above the limit")
    return problems


def probed_frame_problems(stdout, exe, frames):
    """The frames are as large as intended, and each fits exactly where the stack has room."""
    problems = []
    sizes = frame_sizes(exe, [name for name, _, _, _ in frames])
    for name, size in sizes.items():
        print(f"{name}: {'no stack probe' if size is None else f'{size} bytes'}")
        minimum = MINIMUM_SIZE.get(name)
        if minimum and (size is None or size < minimum):
            problems.append(f"{name}: a frame of {size} bytes, not {minimum} or more")
        if not minimum and size is not None:
            problems.append(f"{name}: meant to be smaller than a probe size, but calls the probe")
    return problems + check_fit_points(stdout, sizes, [name for name, _, _, kind in frames if kind == TRAPS_AT_LIMIT])


def main():
    lunaticc, work, flags = sys.argv[1], sys.argv[2], sys.argv[3:]
    wrapper = []
    if flags[:1] == ["--wrapper"]:
        wrapper, flags = flags[1:2], flags[2:]
    probed = "aarch64-linux-gnu" not in flags  # the target's code calls lunatic_stack_probe
    opt = 0 if "-O0" in flags else 2
    frames = FRAMES[opt]
    os.makedirs(work, exist_ok=True)
    wat, wasm, exe = (os.path.join(work, "stack_frames" + ext) for ext in (".wat", ".wasm", ""))
    with open(wat, "w") as f:
        f.write(generate(frames))
    subprocess.run(["wat2wasm", "--debug-names", wat, "-o", wasm], check=True)
    subprocess.run([lunaticc, *flags, wasm, "-o", exe], check=True)
    env = dict(os.environ, LUNATIC_THREADS="1")
    run = subprocess.run([*wrapper, exe], capture_output=True, text=True, timeout=1800, env=env)
    print(run.stdout, end="")
    problems = []
    if run.returncode != 0:
        problems.append(f"exit status {run.returncode}, expected the root's 0")
    if any(line.startswith("FAIL") for line in run.stdout.splitlines()):
        problems.append("the guest reported a failure")
    # Every process that failed died of a stack trap, in the frame that did not fit or in the
    # function it calls (or, while the root measured how deep recursion goes, in the recursion).
    trapped = {}
    for line in run.stderr.splitlines():
        match = re.fullmatch(r"lunatic: process \d+ failed: call stack exhausted at (?:sink_)?(\w+?)"
                             r"(?: \(\d+ frames\))?(?: <- .*)?", line)
        if not match:
            problems.append(f"unexpected stderr line: {line}")
            continue
        trapped[match.group(1)] = trapped.get(match.group(1), 0) + 1
    for name, _, _, _ in frames:
        reported = re.search(rf"^frame {name}: trapped (\d+) fit", run.stdout, re.M)
        if not reported:
            problems.append(f"{name}: not run")
        elif int(reported.group(1)) != trapped.get(name, 0):
            problems.append(f"{name}: {reported.group(1)} probers trapped, {trapped.get(name, 0)} stack traps logged in it")
    for name in ("pad", "fill"):
        if not trapped.get(name):
            problems.append(f"no stack trap in {name} while measuring the deepest recursion")
    if probed:
        problems += probed_frame_problems(run.stdout, exe, frames)
    for problem in problems:
        print(f"FAIL {problem}")
    if run.returncode != 0 or problems:
        sys.stdout.write(run.stderr[-4000:])
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
