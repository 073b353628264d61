;; RUN: lunaticc -O2 --no-preempt --bounds-checks
;; RUN: lunaticc -O2 --bounds-checks | FileCheck --check-prefix=PREEMPT
;; Bounds checks on addresses LLVM has made i64 recurrences itself
;; (passes/memory/address_widening.cpp, findRecurrenceBoundsChecks). $relax is a row of
;; Floyd-Warshall over a static int[N][N]: constant addresses and trip counts, so
;; ScalarEvolution proves that no address wraps and induction variable simplification turns
;; them into i64 recurrences before address widening runs. The preheader checks that both
;; ends of each checked range lie within the memory (addr.fits against memory.size); then
;; the loop runs without its checks, which LLVM vectorises; else the loop as it was
;; (.narrow), which traps where it should. The runtime side is tests/spec/extra/static_rows.wast.
(module
  (memory 64)
  ;; for i in [0, 250), j in [0, 1000): d[i][j] = min(d[i][j], d[i][0] + d[0][j]), d a static
  ;; int[250][1000] at 1024 (rows of 4000 bytes)
  (func $relax (export "relax")
    (local $i i32) (local $j i32) (local $di0 i32) (local $row_i i32) (local $via i32)
    (loop $outer
      (local.set $row_i (i32.add (i32.const 1024) (i32.mul (local.get $i) (i32.const 4000))))
      (local.set $di0 (i32.load (local.get $row_i)))
      (local.set $j (i32.const 0))
      (loop $inner
        (local.set $via (i32.add (local.get $di0)
          (i32.load (i32.add (i32.const 1024) (i32.shl (local.get $j) (i32.const 2))))))
        (if (i32.lt_s (local.get $via)
                      (i32.load (i32.add (local.get $row_i) (i32.shl (local.get $j) (i32.const 2)))))
          (then (i32.store (i32.add (local.get $row_i) (i32.shl (local.get $j) (i32.const 2))) (local.get $via))))
        (br_if $inner (i32.lt_u (local.tee $j (i32.add (local.get $j) (i32.const 1))) (i32.const 1000))))
      (br_if $outer (i32.lt_u (local.tee $i (i32.add (local.get $i) (i32.const 1))) (i32.const 250))))))

;; CHECK-LABEL: define internal void @relax(
;; CHECK: %addr.fits{{[0-9]*}} = icmp ult i64 %{{.*}}, %memory.size
;; CHECK: br i1 %addr.fits{{[0-9]*}}, label %{{.*}}, label %{{.*}}narrow
;; CHECK: {{.*}}narrow:
;; CHECK: icmp ugt i64 %{{.*}}, %memory.size
;; CHECK: vector.body:
;; CHECK-NOT: memory.size
;; CHECK-NOT: trap
;; CHECK: load <{{[0-9]+}} x i32>
;; CHECK-NOT: trap
;; CHECK: br i1 %{{.*}}, label %{{.*}}, label %vector.body

;; With reduction counting, the check-free copy of loop_versioning.cpp is the one widened.
;; PREEMPT-LABEL: define internal void @relax(
;; PREEMPT: %charge.fits
;; PREEMPT: %addr.fits{{[0-9]*}} = icmp ult i64 %{{.*}}, %memory.size
;; PREEMPT: vector.body:
;; PREEMPT-NOT: trap
;; PREEMPT: load <{{[0-9]+}} x i32>
