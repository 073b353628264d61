;; RUN: lunaticc -O2
;; RUN: lunaticc -O2 --bounds-checks | FileCheck --check-prefix=BOUNDS
;; Loops that work on what a search just found keep their checks when they stay scalar
;; (passes/preemption/loop_versioning.cpp, boundedBySearch and mayVectorize). $words finds
;; each word of a text with a search (it leaves at the end of the text or at a space), then
;; hashes the word four bytes an iteration, FNV-1a as clang unrolls it. The hash loop's bound
;; is where the search stopped, a word's length: a trip or two, most runs. Its hash is carried
;; round the loop as neither an induction, a reduction nor a fixed-order recurrence, so no copy
;; of it vectorises, and a check-free copy would save one subtraction and branch an iteration
;; while the test choosing it (the need, its compare) runs on every word: it gets no copy,
;; and its yield stays in the loop. $sums adds up the words' bytes instead, a reduction the
;; vectoriser takes: it keeps its copy. $block hashes a block whose length it is given, not
;; one a search found: it keeps its copy too.
(module
  (memory 1)
  (func $words (export "words") (param $p i32) (param $n i32) (result i32)
    (local $i i32) (local $start i32) (local $j i32) (local $end i32) (local $h i32) (local $all i32)
    (loop $word
      (local.set $start (local.get $i))
      (block $found
        (loop $scan
          (br_if $found (i32.ge_u (local.get $i) (local.get $n)))
          (br_if $found (i32.eq (i32.load8_u (i32.add (local.get $p) (local.get $i))) (i32.const 32)))
          (local.set $i (i32.add (local.get $i) (i32.const 1)))
          (br $scan)))
      (local.set $end (i32.and (i32.sub (local.get $i) (local.get $start)) (i32.const -4)))
      (local.set $h (i32.const -2128831035))
      (local.set $j (i32.const 0))
      (if (local.get $end) (then
        (loop $hash
          (local.set $h (i32.mul (i32.xor (local.get $h)
            (i32.load8_u (i32.add (local.get $p) (i32.add (local.get $start) (local.get $j))))) (i32.const 16777619)))
          (local.set $h (i32.mul (i32.xor (local.get $h)
            (i32.load8_u offset=1 (i32.add (local.get $p) (i32.add (local.get $start) (local.get $j))))) (i32.const 16777619)))
          (local.set $h (i32.mul (i32.xor (local.get $h)
            (i32.load8_u offset=2 (i32.add (local.get $p) (i32.add (local.get $start) (local.get $j))))) (i32.const 16777619)))
          (local.set $h (i32.mul (i32.xor (local.get $h)
            (i32.load8_u offset=3 (i32.add (local.get $p) (i32.add (local.get $start) (local.get $j))))) (i32.const 16777619)))
          (local.set $j (i32.add (local.get $j) (i32.const 4)))
          (br_if $hash (i32.lt_u (local.get $j) (local.get $end))))))
      (local.set $all (i32.xor (local.get $all) (local.get $h)))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br_if $word (i32.lt_u (local.get $i) (local.get $n))))
    (local.get $all))
  (func $sums (export "sums") (param $p i32) (param $n i32) (result i32)
    (local $i i32) (local $start i32) (local $j i32) (local $end i32) (local $s i32)
    (loop $word
      (local.set $start (local.get $i))
      (block $found
        (loop $scan
          (br_if $found (i32.ge_u (local.get $i) (local.get $n)))
          (br_if $found (i32.eq (i32.load8_u (i32.add (local.get $p) (local.get $i))) (i32.const 32)))
          (local.set $i (i32.add (local.get $i) (i32.const 1)))
          (br $scan)))
      (local.set $end (i32.sub (local.get $i) (local.get $start)))
      (local.set $j (i32.const 0))
      (if (local.get $end) (then
        (loop $sum
          (local.set $s (i32.add (local.get $s)
            (i32.load8_u (i32.add (local.get $p) (i32.add (local.get $start) (local.get $j))))))
          (local.set $j (i32.add (local.get $j) (i32.const 1)))
          (br_if $sum (i32.lt_u (local.get $j) (local.get $end))))))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br_if $word (i32.lt_u (local.get $i) (local.get $n))))
    (local.get $s))
  (func $block (export "block") (param $p i32) (param $n i32) (result i32) (local $h i32) (local $i i32)
    (local.set $h (i32.const -2128831035))
    (if (local.get $n) (then
      (loop $hash
        (local.set $h (i32.mul (i32.xor (local.get $h)
          (i32.load8_u (i32.add (local.get $p) (local.get $i)))) (i32.const 16777619)))
        (local.set $h (i32.mul (i32.xor (local.get $h)
          (i32.load8_u offset=1 (i32.add (local.get $p) (local.get $i)))) (i32.const 16777619)))
        (local.set $h (i32.mul (i32.xor (local.get $h)
          (i32.load8_u offset=2 (i32.add (local.get $p) (local.get $i)))) (i32.const 16777619)))
        (local.set $h (i32.mul (i32.xor (local.get $h)
          (i32.load8_u offset=3 (i32.add (local.get $p) (local.get $i)))) (i32.const 16777619)))
        (local.set $i (i32.add (local.get $i) (i32.const 4)))
        (br_if $hash (i32.lt_u (local.get $i) (local.get $n))))))
    (local.get $h)))

;; The hash loop, checked: its charge's yield, then the body it pays for.
;; CHECK-LABEL: define internal i32 @words(
;; CHECK-NOT: charge.
;; CHECK: call void @lunatic_yield(
;; CHECK-NOT: charge.
;; CHECK: call void @lunatic_yield(
;; CHECK-NOT: charge.
;; CHECK: call void @lunatic_yield(
;; CHECK-NOT: charge.
;; CHECK: mul i32 %{{.*}}, 16777619
;; CHECK-NOT: charge.
;; CHECK: {{^}$}}
;; CHECK-LABEL: define internal i32 @sums(
;; CHECK: %charge.fits
;; CHECK-LABEL: define internal i32 @block(
;; CHECK: %charge.fits

;; Bounds-checked, the same choices.
;; BOUNDS-LABEL: define internal i32 @words(
;; BOUNDS-NOT: charge.
;; BOUNDS: call void @lunatic_yield(
;; BOUNDS-NOT: charge.
;; BOUNDS: {{^}$}}
;; BOUNDS-LABEL: define internal i32 @sums(
;; BOUNDS: %charge.fits
;; BOUNDS-LABEL: define internal i32 @block(
;; BOUNDS: %charge.fits
