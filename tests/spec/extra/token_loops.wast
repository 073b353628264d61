;; Loops that work on what a search just found (passes/preemption/loop_versioning.cpp,
;; boundedBySearch): each word of a text is found by a search that leaves at the end of the
;; text or at a space, then hashed (FNV-1a) four bytes an iteration and the rest a byte at a
;; time. The four-byte loop stays scalar and its bound is the word's length, so it keeps its
;; reduction checks and gets no version chosen in its preheader. Words of every length from
;; none to nine, a text that ends at the last byte of memory, one that runs past it (a trap
;; in the search, after the words before it are counted) and addresses that wrap round 4 GiB
;; must give what Wasm says. The number of words hashed so far is stored at 0.
(module
  (memory 1)
  (data (i32.const 16) "a bb ccc dddd eeeee ffffff ggggggg hhhhhhhh iiiiiiiii  j")
  (data (i32.const 65524) "wxyz abcdefg")

  ;; The xor of the hashes of the words of p[i, n).
  (func (export "words") (param $p i32) (param $i i32) (param $n i32) (result i32)
    (local $start i32) (local $j i32) (local $len i32) (local $end i32) (local $h i32) (local $all i32)
    (local $count i32)
    (i32.store (i32.const 0) (i32.const 0))
    (loop $word
      (local.set $start (local.get $i))
      (block $found
        (loop $scan
          (br_if $found (i32.ge_u (local.get $i) (local.get $n)))
          (br_if $found (i32.eq (i32.load8_u (i32.add (local.get $p) (local.get $i))) (i32.const 32)))
          (local.set $i (i32.add (local.get $i) (i32.const 1)))
          (br $scan)))
      (local.set $len (i32.sub (local.get $i) (local.get $start)))
      (local.set $end (i32.and (local.get $len) (i32.const -4)))
      (local.set $h (i32.const -2128831035))
      (local.set $j (i32.const 0))
      (if (local.get $end) (then
        (loop $four
          (local.set $h (i32.mul (i32.xor (local.get $h)
            (i32.load8_u (i32.add (local.get $p) (i32.add (local.get $start) (local.get $j))))) (i32.const 16777619)))
          (local.set $h (i32.mul (i32.xor (local.get $h)
            (i32.load8_u offset=1 (i32.add (local.get $p) (i32.add (local.get $start) (local.get $j))))) (i32.const 16777619)))
          (local.set $h (i32.mul (i32.xor (local.get $h)
            (i32.load8_u offset=2 (i32.add (local.get $p) (i32.add (local.get $start) (local.get $j))))) (i32.const 16777619)))
          (local.set $h (i32.mul (i32.xor (local.get $h)
            (i32.load8_u offset=3 (i32.add (local.get $p) (i32.add (local.get $start) (local.get $j))))) (i32.const 16777619)))
          (local.set $j (i32.add (local.get $j) (i32.const 4)))
          (br_if $four (i32.lt_u (local.get $j) (local.get $end))))))
      (block $done
        (loop $rest
          (br_if $done (i32.ge_u (local.get $j) (local.get $len)))
          (local.set $h (i32.mul (i32.xor (local.get $h)
            (i32.load8_u (i32.add (local.get $p) (i32.add (local.get $start) (local.get $j))))) (i32.const 16777619)))
          (local.set $j (i32.add (local.get $j) (i32.const 1)))
          (br $rest)))
      (local.set $all (i32.xor (local.get $all) (local.get $h)))
      (local.set $count (i32.add (local.get $count) (i32.const 1)))
      (i32.store (i32.const 0) (local.get $count))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br_if $word (i32.lt_u (local.get $i) (local.get $n))))
    (local.get $all))

  (func (export "read") (result i32) (i32.load (i32.const 0))))

;; Eleven words (one empty, between two spaces) of every length up to nine.
(assert_return (invoke "words" (i32.const 16) (i32.const 0) (i32.const 56)) (i32.const 1571478612))
(assert_return (invoke "read") (i32.const 11))
(assert_return (invoke "words" (i32.const 16) (i32.const 0) (i32.const 1)) (i32.const -468965076))
(assert_return (invoke "read") (i32.const 1))

;; A text that ends at the last byte of memory, whole and from its second word.
(assert_return (invoke "words" (i32.const 65524) (i32.const 0) (i32.const 12)) (i32.const -1758837506))
(assert_return (invoke "read") (i32.const 2))
(assert_return (invoke "words" (i32.const 65524) (i32.const 5) (i32.const 12)) (i32.const 715044663))
(assert_return (invoke "read") (i32.const 1))

;; The same text said to run three bytes further: the search of its second word traps at the
;; first byte past the memory, after the first word was counted.
(assert_trap (invoke "words" (i32.const 65524) (i32.const 0) (i32.const 15)) "out of bounds memory access")
(assert_return (invoke "read") (i32.const 1))

;; The first text through addresses that wrap: p = -16, the words from 32 on, at 16 on.
(assert_return (invoke "words" (i32.const -16) (i32.const 32) (i32.const 88)) (i32.const 1571478612))
(assert_return (invoke "read") (i32.const 11))
