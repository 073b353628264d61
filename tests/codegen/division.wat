;; RUN: lunaticc -O2
;; i32.div_s traps on a zero divisor (7) and on INT_MIN / -1 (8) before dividing.
(module
  (func $div (export "div") (param i32 i32) (result i32)
    (i32.div_s (local.get 0) (local.get 1))))
;; CHECK-LABEL: define internal i32 @div(
;; CHECK-DAG: call void @lunatic_trap(i32 7)
;; CHECK-DAG: call void @lunatic_trap(i32 8)
;; CHECK: sdiv i32
