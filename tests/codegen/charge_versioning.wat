;; RUN: lunaticc -O2
;; RUN: lunaticc -O2 --bounds-checks | FileCheck --check-prefix=BOUNDS
;; RUN: lunaticc -O2 --no-preempt | FileCheck --check-prefix=NOPREEMPT
;; Check-free versions of charged loops (compiler/loop_versioning.cpp). $sum's loop runs at
;; most n times, so its preheader computes what all of it may charge (charge.need): when the
;; budget covers that, a copy without the branch to lunatic_yield runs, which LLVM
;; vectorises; a loop that small yields first when the budget does not (charge.small, then
;; an early yield); else the loop runs as it was, checked. $strlen's trip count is unknown:
;; it keeps its check and gets no copy.
(module
  (memory 1)
  (func $sum (export "sum") (param $p i32) (param $n i32) (result i32) (local $s i32) (local $i i32)
    (block
      (loop
        (br_if 1 (i32.ge_u (local.get $i) (local.get $n)))
        (local.set $s (i32.add (local.get $s)
          (i32.load (i32.add (local.get $p) (i32.shl (local.get $i) (i32.const 2))))))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br 0)))
    (local.get $s))
  (func $strlen (export "strlen") (param $p i32) (result i32) (local $q i32)
    (local.set $q (local.get $p))
    (block
      (loop
        (br_if 1 (i32.eqz (i32.load8_u (local.get $q))))
        (local.set $q (i32.add (local.get $q) (i32.const 1)))
        (br 0)))
    (i32.sub (local.get $q) (local.get $p))))

;; CHECK-LABEL: define internal i32 @sum(
;; CHECK: %charge.need = add
;; CHECK: br i1 %charge.fits{{.*}}, label %{{.*}}, label %{{.*}}
;; CHECK: vector.body:
;; CHECK-NOT: lunatic_yield
;; CHECK: load <{{[0-9]+}} x i32>
;; CHECK-NOT: lunatic_yield
;; CHECK: middle.block:
;; CHECK: %charge.small = icmp ult
;; CHECK: yield.early:
;; CHECK-NEXT: store i64
;; CHECK-NEXT: call void @lunatic_yield(
;; The checked loop, as it was.
;; CHECK: loop:
;; CHECK: call void @lunatic_yield(
;; CHECK-LABEL: define internal i32 @strlen(
;; CHECK-NOT: charge.
;; CHECK: call void @lunatic_yield(
;; CHECK-NOT: charge.
;; CHECK: {{^}$}}

;; Bounds-checked, the copy is made too (its bounds checks, which may trap, keep it scalar).
;; There $strlen's trips are bounded only by its bounds check, which leaves the loop (to a
;; trap) at the end of memory: a bound no budget covers (passes/loop_utils.h,
;; boundedOnlyByTraps), so it gets no copy either (tests/codegen/trap_bounded_loops.wat).
;; BOUNDS-LABEL: define internal i32 @sum(
;; BOUNDS: %charge.need = add
;; BOUNDS: br i1 %charge.fits{{.*}}, label %{{.*}}, label %{{.*}}
;; BOUNDS-LABEL: define internal i32 @strlen(
;; BOUNDS-NOT: charge.
;; BOUNDS: call void @lunatic_yield(
;; BOUNDS-NOT: charge.
;; BOUNDS: {{^}$}}

;; NOPREEMPT-NOT: charge.
;; NOPREEMPT-NOT: lunatic_yield
