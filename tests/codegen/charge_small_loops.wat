;; RUN: lunaticc -O2
;; RUN: lunaticc -O2 --no-preempt | FileCheck --check-prefix=NOPREEMPT
;; Loops that versioning does not give a check-free copy (passes/preemption/
;; loop_versioning.cpp, charge_unrolling.cpp). $scan is a search: it may leave at its bound
;; or where it finds the byte, so its bound is loose and the budget would rarely cover it;
;; it is not versioned (no charge.need) but unrolled four times with one check per four
;; bytes. $rows's inner loop goes round at most 3 times (n & 3), as the remainder of a loop
;; unrolled by hand: it is charged whole before it starts, and that charge is folded into
;; the row's, so each row has one check and the inner loop none.
(module
  (memory 1)
  (func $scan (export "scan") (param $p i32) (param $n i32) (param $x i32) (result i32) (local $i i32)
    (block $done
      (loop $next
        (br_if $done (i32.ge_u (local.get $i) (local.get $n)))
        (br_if $done (i32.eq (i32.load8_u (i32.add (local.get $p) (local.get $i))) (local.get $x)))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $next)))
    (local.get $i))
  (func $rows (export "rows") (param $p i32) (param $rows i32) (param $n i32) (result i32)
    (local $r i32) (local $i i32) (local $s i32) (local $m i32)
    (local.set $m (i32.and (local.get $n) (i32.const 3)))
    (loop $row
      (local.set $i (i32.const 0))
      (block $tail_done
        (br_if $tail_done (i32.eqz (local.get $m)))
        (loop $tail
          (local.set $s (i32.add (local.get $s) (i32.load8_u (i32.add (local.get $p) (local.get $i)))))
          (local.set $i (i32.add (local.get $i) (i32.const 1)))
          (br_if $tail (i32.ne (local.get $i) (local.get $m)))))
      (local.set $p (i32.add (local.get $p) (local.get $n)))
      (local.set $r (i32.add (local.get $r) (i32.const 1)))
      (br_if $row (i32.ne (local.get $r) (local.get $rows))))
    (local.get $s)))

;; CHECK-LABEL: define internal i32 @scan(
;; CHECK-NOT: charge.
;; CHECK: call void @lunatic_yield(
;; CHECK-COUNT-4: load i8
;; CHECK-NOT: lunatic_yield
;; CHECK-LABEL: define internal i32 @rows(
;; CHECK: %reductions.rest = add nsw i64 %{{.*}}, -{{[0-9]+}}
;; CHECK: call void @lunatic_yield(
;; CHECK-NOT: lunatic_yield
;; CHECK: ret i32

;; NOPREEMPT-NOT: lunatic_yield
