;; RUN: lunaticc -O2
;; A merge step (passes/preemption/charge_unrolling.cpp): a loop that leaves when either
;; input runs out, so that ScalarEvolution cannot count it and versioning leaves it checked,
;; too large for the unrolling of small loops (some 35 IR instructions) but calling nothing.
;; Its check would be a tenth of an iteration: it is unrolled four times with every exit
;; kept, and charge merging leaves one check, paid for four steps, per trip round.
(module
  (memory 1)
  (func $merge (export "merge") (param $a i32) (param $na i32) (param $b i32) (param $nb i32) (param $out i32)
    (result i32) (local $i i32) (local $j i32) (local $k i32) (local $x i32) (local $y i32)
    (block $done
      (loop $step
        (br_if $done (i32.ge_u (local.get $i) (local.get $na)))
        (br_if $done (i32.ge_u (local.get $j) (local.get $nb)))
        (local.set $x (i32.load (i32.add (local.get $a) (i32.shl (local.get $i) (i32.const 2)))))
        (local.set $y (i32.load (i32.add (local.get $b) (i32.shl (local.get $j) (i32.const 2)))))
        (i32.store (i32.add (local.get $out) (i32.shl (local.get $k) (i32.const 2)))
          (select (local.get $x) (local.get $y) (i32.le_u (local.get $x) (local.get $y))))
        (local.set $i (i32.add (local.get $i) (i32.le_u (local.get $x) (local.get $y))))
        (local.set $j (i32.add (local.get $j) (i32.gt_u (local.get $x) (local.get $y))))
        (local.set $k (i32.add (local.get $k) (i32.const 1)))
        (br $step)))
    (local.get $k)))

;; CHECK-LABEL: define internal i32 @merge(
;; CHECK-NOT: charge.need
;; CHECK: %reductions.rest = add nsw i64 %{{.*}}, -{{[0-9]+}}
;; CHECK: call void @lunatic_yield(
;; CHECK-NOT: lunatic_yield
;; CHECK-COUNT-4: store i32
;; CHECK-NOT: lunatic_yield
;; CHECK: {{^}}}
