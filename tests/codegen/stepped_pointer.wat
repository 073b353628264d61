;; RUN: lunaticc -O2 --no-preempt
;; RUN: lunaticc -O2 | FileCheck --check-prefix=PREEMPT
;; RUN: lunaticc -O2 --no-preempt --bounds-checks | FileCheck --check-prefix=BOUNDS
;; A loop that steps a pointer by 16 until it equals an end (passes/loop_utils.cpp,
;; equalLimitBound): the inner loop of an LU update, a[i][j] -= m * a[k][j], as clang emits
;; it for wasm32 unrolled by two, its odd first iteration peeled, so that the pointer starts
;; a multiple of 16 from the end. ScalarEvolution cannot count its trips (16 might not
;; divide the distance); the preheader checks that it does (addr.fits, charge.fits), and
;; then address widening and the check-free copy of reduction counting apply, and LLVM
;; vectorises the loop. The runtime side is tests/spec/extra/stepped_pointer.wast.
(module
  (memory 1)
  ;; for each of `rows` rows a_i, 1600 bytes apart:
  ;;   for (o = j; o != end; o += 16) { a_i[o] -= m * a_k[o]; a_i[o + 8] -= m * a_k[o + 8] }
  (func $update (export "update") (param $ai i32) (param $ak i32) (param $j i32) (param $end i32)
                                  (param $rows i32) (param $m f64)
    (local $o i32) (local $x i32) (local $y i32)
    (loop $rows
      (local.set $o (local.get $j))
      (loop $inner
        (local.set $x (i32.add (local.get $ai) (local.get $o)))
        (local.set $y (i32.add (local.get $ak) (local.get $o)))
        (f64.store (local.get $x) (f64.sub (f64.load (local.get $x)) (f64.mul (local.get $m) (f64.load (local.get $y)))))
        (local.set $x (i32.add (local.get $x) (i32.const 8)))
        (local.set $y (i32.add (local.get $y) (i32.const 8)))
        (f64.store (local.get $x) (f64.sub (f64.load (local.get $x)) (f64.mul (local.get $m) (f64.load (local.get $y)))))
        (br_if $inner (i32.ne (local.tee $o (i32.add (local.get $o) (i32.const 16))) (local.get $end))))
      (local.set $ai (i32.add (local.get $ai) (i32.const 1600)))
      (br_if $rows (local.tee $rows (i32.sub (local.get $rows) (i32.const 1)))))))

;; CHECK-LABEL: define internal void @update(
;; CHECK: and i32 %{{.*}}, 15
;; CHECK: %addr.fits{{[0-9]*}} = icmp ult
;; CHECK: br i1 %{{.*}}, label %{{.*}}wide.ph, label %{{.*}}narrow
;; CHECK: {{.*}}wide.ph:
;; CHECK: vector.body:
;; CHECK-NOT: zext i32
;; CHECK: load <{{[0-9]+}} x double>
;; CHECK: store <{{[0-9]+}} x double>

;; PREEMPT-LABEL: define internal void @update(
;; PREEMPT: %addr.fits{{[0-9]*}} = icmp ult
;; PREEMPT: %charge.fits
;; PREEMPT: vector.body:
;; PREEMPT-NOT: lunatic_yield
;; PREEMPT: store <{{[0-9]+}} x double>

;; BOUNDS-LABEL: define internal void @update(
;; BOUNDS: %addr.fits{{[0-9]*}} = icmp ult i64 %{{.*}}, %memory.size
;; BOUNDS: vector.body:
;; BOUNDS-NOT: trap
;; BOUNDS: store <{{[0-9]+}} x double>
