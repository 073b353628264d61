;; RUN: lunaticc -O2 --bounds-checks --no-preempt
;; Traps on conditions a loop does not change. In @mark, the check of `*q` (a loop-invariant
;; address) is hoisted out of the loop by LICM; address widening (passes/memory/
;; address_widening.cpp) adds it to the conditions its copy with 64-bit addresses runs
;; under, and drops it from that copy: the copy's only check-free access to *q. The narrow
;; copy keeps it. In @walk, neither loop is widened; the hoisted check of `*q`, which
;; branches to the trap in both loops, is compared with the size less 4 computed once
;; (passes/memory/check_limits.cpp), as a check with one branch is.
(module
  (memory 1)
  (func (export "mark") (param $p i32) (param $n i32) (param $q i32)
    (block $done
      (br_if $done (i32.eqz (local.get $n)))
      (loop $next
        (if (i32.lt_s (i32.load (local.get $p)) (i32.const 0))
          (then (i32.store (local.get $p) (i32.add (i32.load (local.get $q)) (i32.const 1)))))
        (local.set $p (i32.add (local.get $p) (i32.const 4)))
        (br_if $next (local.tee $n (i32.sub (local.get $n) (i32.const 1)))))))
  (func (export "walk") (param $p i32) (param $q i32) (result i32)
    (local $s i32)
    (loop $next
      (if (i32.lt_s (i32.load offset=4 (local.get $p)) (i32.const 0))
        (then (local.set $s (i32.add (local.get $s) (i32.load (local.get $q))))))
      (br_if $next (local.tee $p (i32.load (local.get $p)))))
    (loop $again
      (if (i32.gt_s (i32.load offset=4 (local.get $s)) (i32.const 0))
        (then (local.set $s (i32.add (local.get $s) (i32.load (local.get $q))))))
      (br_if $again (local.tee $s (i32.load (local.get $s)))))
    (local.get $s)))
;; CHECK-LABEL: define internal void @mark(
;; CHECK: [[END:%.*]] = add nuw nsw i64 [[Q:%.*]], 4
;; CHECK-NEXT: [[QFITS:%.*]] = icmp ule i64 [[END]], %memory.size
;; CHECK: [[FITS:%.*]] = and i1 %{{.*}}, [[QFITS]]
;; CHECK-NEXT: br i1 [[FITS]], label %loop.wide.ph, label %loop.narrow
;; CHECK: then.narrow:
;; CHECK-NEXT: br i1 [[QFITS]], label %ok{{.*}}, label %trap
;; CHECK: loop.wide.ph:
;; CHECK-NOT: [[QFITS]]
;; CHECK-LABEL: define internal noundef i32 @walk(
;; CHECK: [[LIMIT:%memory.limit[0-9]*]] = sub nsw i64 %memory.size, 4
;; CHECK: [[QOUT:%.*]] = icmp sgt i64 %{{.*}}, [[LIMIT]]
;; CHECK: then:
;; CHECK-NEXT: br i1 [[QOUT]], label %trap
;; CHECK: then{{[0-9]+}}:
;; CHECK-NEXT: br i1 [[QOUT]], label %trap
