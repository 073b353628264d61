;; RUN: lunaticc -O2
;; RUN: lunaticc -O2 --no-preempt
;; The import module "lunatic_internal" is reserved for lunaticc's own markers
;; (passes/reductions.h): a module importing anything from it is refused, with or without
;; reduction counting.
;; ERROR: import lunatic_internal.reductions: the import module 'lunatic_internal' is reserved for lunaticc
(module
  (import "lunatic_internal" "reductions" (func $charge (param i32)))
  (func (export "f") (call $charge (i32.const 1))))
