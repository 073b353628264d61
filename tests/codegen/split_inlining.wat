;; RUN: lunaticc -O2 --no-preempt --codegen-parts 2
;; A module compiled in parts (compiler/module_split.h) still has small functions inlined
;; into their callers in other parts: each part gets copies of the small functions it calls.
;; The larger function goes to the first part, the smaller to the second.
(module
  (memory 1)
  (func $scale (param i32) (result i32)
    (i32.add (i32.mul (local.get 0) (i32.const 3)) (i32.const 7)))
  (func $sum_scaled (export "sum_scaled") (param $n i32) (result i32)
    (local $i i32) (local $sum i32)
    (block $done
      (loop $next
        (br_if $done (i32.ge_u (local.get $i) (local.get $n)))
        (local.set $sum (i32.add (local.get $sum)
          (call $scale (i32.load (i32.shl (local.get $i) (i32.const 2))))))
        (i32.store offset=4096 (i32.shl (local.get $i) (i32.const 2)) (local.get $sum))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $next)))
    (local.get $sum))
  (export "scale" (func $scale)))
;; CHECK: ; part 1 of 2
;; CHECK-NOT: call {{.*}}scale(
;; CHECK: define {{.*}}@{{.*}}sum_scaled(
;; CHECK-NOT: call {{.*}}scale(
;; CHECK: ; part 2 of 2
;; CHECK: define {{.*}}@{{.*}}scale(
