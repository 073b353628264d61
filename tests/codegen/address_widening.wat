;; RUN: lunaticc -O2 --no-preempt
;; RUN: lunaticc -O2 | FileCheck --check-prefix=PREEMPT
;; RUN: lunaticc -O2 --no-preempt --bounds-checks | FileCheck --check-prefix=BOUNDS
;; 64-bit addresses in loops whose i32 address arithmetic cannot wrap
;; (compiler/address_widening.cpp). $axpy2 is the inner loop of a matrix multiply as clang
;; emits it for wasm32, unrolled by two: c[j] += a * b[j] and c[j+1] += a * b[j+1], every
;; address an i32.add that may wrap. The preheader checks that none does (addr.fits); then
;; the loop runs with one base per array (addr.base) and i64 offsets, which LLVM vectorises;
;; else the loop as it was (.narrow). Bounds-checked, the preheader also checks that the
;; highest address ends within the memory, so the wide loop needs no checks of its own and
;; is vectorised too. The runtime side is tests/spec/extra/address_wrap.wast.
(module
  (memory 1)
  (func $axpy2 (export "axpy2") (param $c i32) (param $b i32) (param $a f64)
    (local $j i32) (local $x i32) (local $y i32)
    (loop
      (local.set $x (i32.add (local.get $c) (local.get $j)))
      (local.set $y (i32.add (local.get $b) (local.get $j)))
      (f64.store (local.get $x)
        (f64.add (f64.mul (local.get $a) (f64.load (local.get $y))) (f64.load (local.get $x))))
      (local.set $x (i32.add (local.get $x) (i32.const 8)))
      (local.set $y (i32.add (local.get $y) (i32.const 8)))
      (f64.store (local.get $x)
        (f64.add (f64.mul (local.get $a) (f64.load (local.get $y))) (f64.load (local.get $x))))
      (br_if 0 (i32.ne (local.tee $j (i32.add (local.get $j) (i32.const 16))) (i32.const 4096))))))

;; CHECK-LABEL: define internal void @axpy2(
;; CHECK: %addr.fits{{[0-9]*}} = icmp ult
;; CHECK: br i1 %{{.*}}, label %loop.wide.ph, label %loop{{.*}}narrow
;; CHECK: loop.narrow:
;; CHECK: zext i32
;; CHECK: store double
;; CHECK: loop.wide.ph:
;; CHECK: addr.base{{.*}} = inttoptr i64
;; CHECK: vector.body:
;; CHECK-NOT: zext i32
;; CHECK: load <{{[0-9]+}} x double>
;; CHECK: store <{{[0-9]+}} x double>

;; With reduction counting, the check-free copy (loop_versioning.cpp) is the one widened.
;; PREEMPT-LABEL: define internal void @axpy2(
;; PREEMPT: %charge.fits
;; PREEMPT: %addr.fits{{[0-9]*}} = icmp ult
;; PREEMPT: vector.body:
;; PREEMPT: load <{{[0-9]+}} x double>
;; PREEMPT: call void @lunatic_yield(
;; BOUNDS-LABEL: define internal void @axpy2(
;; BOUNDS: %addr.fits{{[0-9]*}} = icmp ult
;; BOUNDS: %memory.size
;; BOUNDS: loop.narrow:
;; BOUNDS: icmp sgt i64 %{{.*}}, %memory.limit
;; BOUNDS: loop.wide.ph:
;; BOUNDS: vector.body:
;; BOUNDS-NOT: memory.size
;; BOUNDS-NOT: trap
;; BOUNDS: store <{{[0-9]+}} x double>
;; BOUNDS-NOT: trap
;; BOUNDS: br i1 %{{.*}}, label %{{.*}}, label %vector.body
