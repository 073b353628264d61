;; RUN: lunaticc -O2 --no-preempt
;; RUN: lunaticc -O2 --no-preempt --bounds-checks | FileCheck --check-prefix=BOUNDS
;; Carried loads (passes/memory/address_widening.cpp, findCarriedLoads): $step keeps u[i + 1],
;; loaded in one iteration, as the next one's u[i], and uses it before that load, as clang's
;; wasm32 code for a stencil does. LLVM vectorises such a fixed-order recurrence only where
;; the load comes first; the widened copy moves it there, under checks in the preheader that
;; the stores' range does not meet the loads' (addr.apart, an or of "below" and "above") and
;; that every access lies within the memory (with guard pages its size is read from the
;; memory). The runtime side, with overlapping arrays and loops that leave the memory, is
;; tests/spec/extra/carried_loads.wast.
(module
  (memory 1)
  (data (i32.const 0) "\01\00\00\00\02\00\00\00\03\00\00\00\04\00\00\00\05\00\00\00\06\00\00\00\07\00\00\00\08\00\00\00")

  ;; `reps` times: prev = u[0]; for (o = 0; o != 4n; o += 4) { dst[o] = prev + 1000 + u[o];
  ;; prev = u[o + 4] }, that is dst[i] = u[i] + u[i] + 1000, with u[i] carried from the
  ;; iteration before.
  (func $step (export "step") (param $dst i32) (param $u i32) (param $n i32) (param $reps i32)
    (local $o i32) (local $prev i32) (local $end i32)
    (local.set $end (i32.shl (local.get $n) (i32.const 2)))
    (loop $reps
      (local.set $o (i32.const 0))
      (local.set $prev (i32.load (local.get $u)))
      (loop $inner
        (i32.store (i32.add (local.get $dst) (local.get $o))
          (i32.add (i32.add (local.get $prev) (i32.const 1000))
                   (i32.load (i32.add (local.get $u) (local.get $o)))))
        (local.set $prev (i32.load offset=4 (i32.add (local.get $u) (local.get $o))))
        (br_if $inner (i32.ne (local.tee $o (i32.add (local.get $o) (i32.const 4))) (local.get $end))))
      ;; The last carried value is used (a load whose value is unused may not trap with
      ;; guard pages: docs/architecture.md, "Known deviations").
      (i32.store (i32.const 3072) (local.get $prev))
      (br_if $reps (local.tee $reps (i32.sub (local.get $reps) (i32.const 1))))))

  (func (export "load") (param $a i32) (result i32) (i32.load (local.get $a))))

;; Apart: dst at 1024, u = 1..8: dst[i] = 2u[i] + 1000.

;; CHECK-LABEL: define internal void @step(
;; CHECK: %addr.apart{{[0-9]*}} = icmp ule i64
;; CHECK: or i1 %addr.apart
;; CHECK: %memory.size = load i64
;; CHECK: %addr.apart{{[0-9]*}} = icmp ule i64 %{{.*}}, %memory.size
;; CHECK: vector.body:
;; CHECK: %vector.recur = phi <{{[0-9]+}} x i32>
;; CHECK: store <{{[0-9]+}} x i32>

;; BOUNDS-LABEL: define internal void @step(
;; BOUNDS: or i1 %addr.apart
;; BOUNDS: vector.body:
;; BOUNDS-NOT: trap
;; BOUNDS: %vector.recur = phi <{{[0-9]+}} x i32>
;; BOUNDS-NOT: trap
;; BOUNDS: store <{{[0-9]+}} x i32>
