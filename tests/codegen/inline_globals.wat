;; RUN: lunaticc -O2
;; The cells of a module's first four own globals lie in the instance (abi.h's
;; inline_globals, at offset 96 in steps of 16): an access is one load or store at a
;; constant offset from the instance. Imported globals, and own globals after the first
;; four, are reached through the instance's array of cells (offset 24), a pointer per
;; global index, imports first.
(module
  (import "env" "imported" (global $imported (mut i32)))
  (global $g0 (mut i32) (i32.const 0))
  (global $g1 (mut i64) (i64.const 0))
  (global $g2 (mut f64) (f64.const 0))
  (global $g3 (mut i32) (i32.const 0))
  (global $g4 (mut i32) (i32.const 0))
  (func (export "bump")
    (global.set $g0 (i32.add (global.get $g0) (i32.const 16)))
    (global.set $g3 (global.get $imported))
    (global.set $g4 (i32.add (global.get $g4) (i32.const 1)))))
;; CHECK-LABEL: define internal void @bump(
;; CHECK-DAG: [[G0:%.*]] = getelementptr inbounds i8, ptr %instance, i64 96
;; CHECK-DAG: load i32, ptr [[G0]]
;; CHECK-DAG: [[G3:%.*]] = getelementptr inbounds i8, ptr %instance, i64 144
;; CHECK-DAG: store i32 {{.*}}, ptr [[G3]]
;; CHECK-DAG: [[CELLS:%.*]] = getelementptr inbounds i8, ptr %instance, i64 24
;; CHECK-DAG: %globals = load ptr, ptr [[CELLS]]
;; CHECK-DAG: %global.cell{{[0-9]*}} = load ptr, ptr %globals,
;; CHECK-DAG: [[CELL5:%.*]] = getelementptr inbounds i8, ptr %globals, i64 40
;; CHECK: ret void
