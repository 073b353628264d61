;; RUN: lunaticc -O2
;; RUN: lunaticc -O2 --no-preempt | FileCheck --check-prefix=NOPREEMPT
;; RUN: lunaticc -O2 --bounds-checks | FileCheck --check-prefix=BOUNDS
;; A bytecode interpreter's dispatch loop (passes/preemption/charge_unrolling.cpp): a switch
;; over the next opcode, whose cases all go back to it, of unknown trip count, too large for
;; the unrolling of small loops. Its charge at the loop header would cost a subtraction and a
;; branch on every opcode, as much as a short case itself. The loop is unrolled four times
;; with every exit kept, and charge merging folds the copies' charges into the first: four
;; switches, one check for four opcodes. Without reduction counting it stays one switch.
(module
  (memory 1)
  (func $run (export "run") (param $pc i32) (result i32) (local $acc i32) (local $op i32)
    (block $halt
      (loop $dispatch
        (local.set $op (i32.load8_u (local.get $pc)))
        (local.set $pc (i32.add (local.get $pc) (i32.const 2)))
        (block $loop
          (block $mul
            (block $sub
              (block $add
                (br_table $halt $add $sub $mul $loop $halt (local.get $op)))
              ;; add: acc += operand
              (local.set $acc (i32.add (local.get $acc) (i32.load8_u offset=1 (i32.sub (local.get $pc) (i32.const 2)))))
              (br $dispatch))
            ;; sub: acc -= operand
            (local.set $acc (i32.sub (local.get $acc) (i32.load8_u offset=1 (i32.sub (local.get $pc) (i32.const 2)))))
            (br $dispatch))
          ;; mul: acc *= operand
          (local.set $acc (i32.mul (local.get $acc) (i32.load8_u offset=1 (i32.sub (local.get $pc) (i32.const 2)))))
          (br $dispatch))
        ;; loop: count acc down, and go to the operand's address while it is not zero
        (local.set $acc (i32.sub (local.get $acc) (i32.const 1)))
        (if (local.get $acc)
          (then (local.set $pc (i32.load8_u offset=1 (i32.sub (local.get $pc) (i32.const 2))))))
        (br $dispatch)))
    (local.get $acc)))

;; CHECK-LABEL: define internal i32 @run(
;; CHECK: %reductions.rest = add nsw i64 %{{.*}}, -{{[0-9]+}}
;; CHECK: call void @lunatic_yield(
;; CHECK-NOT: lunatic_yield
;; CHECK: switch i8
;; CHECK-NOT: lunatic_yield
;; CHECK: switch i8
;; CHECK-NOT: lunatic_yield
;; CHECK: switch i8
;; CHECK-NOT: lunatic_yield
;; CHECK: switch i8
;; CHECK-NOT: lunatic_yield
;; CHECK-NOT: switch
;; CHECK: {{^}}}

;; NOPREEMPT-LABEL: define internal i32 @run(
;; NOPREEMPT: switch
;; NOPREEMPT-NOT: switch
;; NOPREEMPT: {{^}}}

;; With bounds checks the copies ran more slowly though they ran fewer instructions
;; (docs/benchmarks.md): the loop keeps one switch and its check per opcode.
;; BOUNDS-LABEL: define internal i32 @run(
;; BOUNDS: switch
;; BOUNDS-NOT: switch
;; BOUNDS: {{^}}}
