;; Byte-compare loops (compiler/byte_compare.cpp): each iteration may skip 16 equal bytes
;; at once. $cmp is wasi-libc's memcmp and $prefix a loop counting equal leading bytes, as
;; clang-19 -O2 compiles them for wasm32. Mismatches on either side of every block edge,
;; blocks that cross a page, and compares that run off the end of memory: the skipping
;; must find what the bytes say, and trap exactly where the byte loop traps.
(module
  (memory 1)
  (func $cmp (export "cmp") (param i32 i32 i32) (result i32)
    (local i32 i32 i32)
    block
      local.get 2
      i32.eqz
      br_if 0
      loop
        local.get 0
        i32.load8_u
        local.tee 4
        local.get 1
        i32.load8_u
        local.tee 5
        i32.eq
        if
          local.get 1
          i32.const 1
          i32.add
          local.set 1
          local.get 0
          i32.const 1
          i32.add
          local.set 0
          local.get 2
          i32.const 1
          i32.sub
          local.tee 2
          br_if 1
          br 2
        end
      end
      local.get 4
      local.get 5
      i32.sub
      local.set 3
    end
    local.get 3)
  (func $prefix (export "prefix") (param i32 i32 i32) (result i32)
    (local i32)
    block
      local.get 2
      i32.eqz
      br_if 0
      loop
        local.get 0
        local.get 3
        i32.add
        i32.load8_u
        local.get 1
        local.get 3
        i32.add
        i32.load8_u
        i32.ne
        br_if 1
        local.get 2
        local.get 3
        i32.const 1
        i32.add
        local.tee 3
        i32.ne
        br_if 0
      end
      local.get 2
      local.set 3
    end
    local.get 3)
  ;; $prefix that also reads a byte of a third array t each iteration and drops it (Wasm
  ;; still requires the read to trap when out of bounds): the loop may not skip iterations.
  (func (export "prefix_touch") (param $l i32) (param $r i32) (param $t i32) (param $n i32) (result i32)
    (local $i i32)
    (block
      (loop
        (br_if 1 (i32.eq (local.get $i) (local.get $n)))
        (br_if 1 (i32.ne (i32.load8_u (i32.add (local.get $l) (local.get $i)))
                         (i32.load8_u (i32.add (local.get $r) (local.get $i)))))
        (drop (i32.load8_u (i32.add (local.get $t) (local.get $i))))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br 0)))
    (local.get $i))
  ;; Writes byte i * 7 + seed at dst + i for i < n.
  (func (export "fill") (param $dst i32) (param $n i32) (param $seed i32) (local $i i32)
    (block
      (loop
        (br_if 1 (i32.ge_u (local.get $i) (local.get $n)))
        (i32.store8 (i32.add (local.get $dst) (local.get $i))
          (i32.add (i32.mul (local.get $i) (i32.const 7)) (local.get $seed)))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br 0))))
  (func (export "poke") (param $at i32) (param $value i32) (i32.store8 (local.get $at) (local.get $value))))

;; Equal runs of every length around the block size.
(assert_return (invoke "fill" (i32.const 0) (i32.const 300) (i32.const 3)))
(assert_return (invoke "fill" (i32.const 1000) (i32.const 300) (i32.const 3)))
(assert_return (invoke "prefix" (i32.const 0) (i32.const 1000) (i32.const 0)) (i32.const 0))
(assert_return (invoke "prefix" (i32.const 0) (i32.const 1000) (i32.const 1)) (i32.const 1))
(assert_return (invoke "prefix" (i32.const 0) (i32.const 1000) (i32.const 15)) (i32.const 15))
(assert_return (invoke "prefix" (i32.const 0) (i32.const 1000) (i32.const 16)) (i32.const 16))
(assert_return (invoke "prefix" (i32.const 0) (i32.const 1000) (i32.const 17)) (i32.const 17))
(assert_return (invoke "prefix" (i32.const 0) (i32.const 1000) (i32.const 32)) (i32.const 32))
(assert_return (invoke "prefix" (i32.const 0) (i32.const 1000) (i32.const 33)) (i32.const 33))
(assert_return (invoke "prefix" (i32.const 0) (i32.const 1000) (i32.const 300)) (i32.const 300))
(assert_return (invoke "prefix" (i32.const 3) (i32.const 1003) (i32.const 297)) (i32.const 297))
(assert_return (invoke "cmp" (i32.const 0) (i32.const 1000) (i32.const 300)) (i32.const 0))
(assert_return (invoke "cmp" (i32.const 5) (i32.const 1005) (i32.const 1)) (i32.const 0))
(assert_return (invoke "cmp" (i32.const 5) (i32.const 1005) (i32.const 0)) (i32.const 0))

;; One byte differs, at each side of the block edges.
(assert_return (invoke "poke" (i32.const 1000) (i32.const 0)))
(assert_return (invoke "prefix" (i32.const 0) (i32.const 1000) (i32.const 300)) (i32.const 0))
(assert_return (invoke "cmp" (i32.const 0) (i32.const 1000) (i32.const 300)) (i32.const 3))
(assert_return (invoke "poke" (i32.const 1000) (i32.const 3)))
(assert_return (invoke "poke" (i32.const 1015) (i32.const 0)))
(assert_return (invoke "prefix" (i32.const 0) (i32.const 1000) (i32.const 300)) (i32.const 15))
(assert_return (invoke "cmp" (i32.const 0) (i32.const 1000) (i32.const 300)) (i32.const 108))
(assert_return (invoke "poke" (i32.const 1015) (i32.const 108)))
(assert_return (invoke "poke" (i32.const 1016) (i32.const 0)))
(assert_return (invoke "prefix" (i32.const 0) (i32.const 1000) (i32.const 300)) (i32.const 16))
(assert_return (invoke "prefix" (i32.const 1) (i32.const 1001) (i32.const 299)) (i32.const 15))
(assert_return (invoke "cmp" (i32.const 0) (i32.const 1000) (i32.const 16)) (i32.const 0))
(assert_return (invoke "cmp" (i32.const 0) (i32.const 1000) (i32.const 17)) (i32.const 115))
(assert_return (invoke "poke" (i32.const 1016) (i32.const 115)))
(assert_return (invoke "poke" (i32.const 1017) (i32.const 255)))
(assert_return (invoke "prefix" (i32.const 0) (i32.const 1000) (i32.const 300)) (i32.const 17))
(assert_return (invoke "cmp" (i32.const 0) (i32.const 1000) (i32.const 300)) (i32.const -133))
(assert_return (invoke "poke" (i32.const 1017) (i32.const 122)))
(assert_return (invoke "poke" (i32.const 1290) (i32.const 0)))
(assert_return (invoke "prefix" (i32.const 0) (i32.const 1000) (i32.const 300)) (i32.const 290))
(assert_return (invoke "prefix" (i32.const 0) (i32.const 1000) (i32.const 290)) (i32.const 290))
(assert_return (invoke "poke" (i32.const 1290) (i32.const 1))) ;; 290 * 7 + 3 = 2033, 241 as a byte
(assert_return (invoke "prefix" (i32.const 0) (i32.const 1000) (i32.const 300)) (i32.const 290))
(assert_return (invoke "poke" (i32.const 1290) (i32.const 241)))
(assert_return (invoke "prefix" (i32.const 0) (i32.const 1000) (i32.const 300)) (i32.const 300))

;; Across a 4 KiB page boundary (4096) and up to the end of memory (65536).
(assert_return (invoke "fill" (i32.const 4000) (i32.const 200) (i32.const 9)))
(assert_return (invoke "fill" (i32.const 8000) (i32.const 200) (i32.const 9)))
(assert_return (invoke "prefix" (i32.const 4000) (i32.const 8000) (i32.const 200)) (i32.const 200))
(assert_return (invoke "poke" (i32.const 8097) (i32.const 0)))
(assert_return (invoke "prefix" (i32.const 4000) (i32.const 8000) (i32.const 200)) (i32.const 97))
(assert_return (invoke "fill" (i32.const 65436) (i32.const 100) (i32.const 5)))
(assert_return (invoke "fill" (i32.const 65236) (i32.const 100) (i32.const 5)))
(assert_return (invoke "prefix" (i32.const 65436) (i32.const 65236) (i32.const 100)) (i32.const 100))
(assert_return (invoke "cmp" (i32.const 65436) (i32.const 65236) (i32.const 100)) (i32.const 0))
;; Equal up to the end of memory, then past it: the loop traps at 65536.
(assert_trap (invoke "prefix" (i32.const 65436) (i32.const 65236) (i32.const 101)) "out of bounds memory access")
(assert_trap (invoke "cmp" (i32.const 65436) (i32.const 65236) (i32.const 140)) "out of bounds memory access")
;; A difference before the end: no trap, though n runs past it.
(assert_return (invoke "poke" (i32.const 65530) (i32.const 0)))
(assert_return (invoke "prefix" (i32.const 65436) (i32.const 65236) (i32.const 1000)) (i32.const 94))
(assert_return (invoke "prefix" (i32.const 65236) (i32.const 65436) (i32.const 1000)) (i32.const 94))
(assert_return (invoke "cmp" (i32.const 65436) (i32.const 65236) (i32.const 1000)) (i32.const -151))
(assert_return (invoke "prefix" (i32.const 65529) (i32.const 65329) (i32.const 100)) (i32.const 1))
(assert_trap (invoke "prefix" (i32.const 65531) (i32.const 65331) (i32.const 100)) "out of bounds memory access")
;; Overlapping the same bytes: equal to the end, then the trap.
(assert_trap (invoke "prefix" (i32.const 65500) (i32.const 65500) (i32.const 100)) "out of bounds memory access")
(assert_return (invoke "prefix" (i32.const 65500) (i32.const 65500) (i32.const 36)) (i32.const 36))
;; The third array runs off the end of memory at i = 20 while the compared bytes are all
;; equal (10000 and 20000 hold zeros): the loop must trap there, not skip past it.
(assert_trap (invoke "prefix_touch" (i32.const 10000) (i32.const 20000) (i32.const 65516) (i32.const 100)) "out of bounds memory access")
(assert_return (invoke "prefix_touch" (i32.const 10000) (i32.const 20000) (i32.const 65516) (i32.const 20)) (i32.const 20))

;; A block that differs at byte k after k equal ones: the loop goes k bytes on at once and
;; finds the difference there (each k of a block, the block not the first of the compare).
(assert_return (invoke "fill" (i32.const 30000) (i32.const 100) (i32.const 11)))
(assert_return (invoke "fill" (i32.const 31000) (i32.const 100) (i32.const 11)))
(assert_return (invoke "poke" (i32.const 31016) (i32.const 0)))
(assert_return (invoke "prefix" (i32.const 30000) (i32.const 31000) (i32.const 100)) (i32.const 16))
(assert_return (invoke "cmp" (i32.const 30000) (i32.const 31000) (i32.const 100)) (i32.const 123))
(assert_return (invoke "poke" (i32.const 31016) (i32.const 123)))
(assert_return (invoke "poke" (i32.const 31017) (i32.const 0)))
(assert_return (invoke "prefix" (i32.const 30000) (i32.const 31000) (i32.const 100)) (i32.const 17))
(assert_return (invoke "cmp" (i32.const 30000) (i32.const 31000) (i32.const 100)) (i32.const 130))
(assert_return (invoke "poke" (i32.const 31017) (i32.const 130)))
(assert_return (invoke "poke" (i32.const 31018) (i32.const 0)))
(assert_return (invoke "prefix" (i32.const 30000) (i32.const 31000) (i32.const 100)) (i32.const 18))
(assert_return (invoke "cmp" (i32.const 30000) (i32.const 31000) (i32.const 100)) (i32.const 137))
(assert_return (invoke "poke" (i32.const 31018) (i32.const 137)))
(assert_return (invoke "poke" (i32.const 31019) (i32.const 0)))
(assert_return (invoke "prefix" (i32.const 30000) (i32.const 31000) (i32.const 100)) (i32.const 19))
(assert_return (invoke "cmp" (i32.const 30000) (i32.const 31000) (i32.const 100)) (i32.const 144))
(assert_return (invoke "poke" (i32.const 31019) (i32.const 144)))
(assert_return (invoke "poke" (i32.const 31020) (i32.const 0)))
(assert_return (invoke "prefix" (i32.const 30000) (i32.const 31000) (i32.const 100)) (i32.const 20))
(assert_return (invoke "cmp" (i32.const 30000) (i32.const 31000) (i32.const 100)) (i32.const 151))
(assert_return (invoke "poke" (i32.const 31020) (i32.const 151)))
(assert_return (invoke "poke" (i32.const 31021) (i32.const 0)))
(assert_return (invoke "prefix" (i32.const 30000) (i32.const 31000) (i32.const 100)) (i32.const 21))
(assert_return (invoke "cmp" (i32.const 30000) (i32.const 31000) (i32.const 100)) (i32.const 158))
(assert_return (invoke "poke" (i32.const 31021) (i32.const 158)))
(assert_return (invoke "poke" (i32.const 31022) (i32.const 0)))
(assert_return (invoke "prefix" (i32.const 30000) (i32.const 31000) (i32.const 100)) (i32.const 22))
(assert_return (invoke "cmp" (i32.const 30000) (i32.const 31000) (i32.const 100)) (i32.const 165))
(assert_return (invoke "poke" (i32.const 31022) (i32.const 165)))
(assert_return (invoke "poke" (i32.const 31023) (i32.const 0)))
(assert_return (invoke "prefix" (i32.const 30000) (i32.const 31000) (i32.const 100)) (i32.const 23))
(assert_return (invoke "cmp" (i32.const 30000) (i32.const 31000) (i32.const 100)) (i32.const 172))
(assert_return (invoke "poke" (i32.const 31023) (i32.const 172)))
(assert_return (invoke "poke" (i32.const 31024) (i32.const 0)))
(assert_return (invoke "prefix" (i32.const 30000) (i32.const 31000) (i32.const 100)) (i32.const 24))
(assert_return (invoke "cmp" (i32.const 30000) (i32.const 31000) (i32.const 100)) (i32.const 179))
(assert_return (invoke "poke" (i32.const 31024) (i32.const 179)))
(assert_return (invoke "poke" (i32.const 31025) (i32.const 0)))
(assert_return (invoke "prefix" (i32.const 30000) (i32.const 31000) (i32.const 100)) (i32.const 25))
(assert_return (invoke "cmp" (i32.const 30000) (i32.const 31000) (i32.const 100)) (i32.const 186))
(assert_return (invoke "poke" (i32.const 31025) (i32.const 186)))
(assert_return (invoke "poke" (i32.const 31026) (i32.const 0)))
(assert_return (invoke "prefix" (i32.const 30000) (i32.const 31000) (i32.const 100)) (i32.const 26))
(assert_return (invoke "cmp" (i32.const 30000) (i32.const 31000) (i32.const 100)) (i32.const 193))
(assert_return (invoke "poke" (i32.const 31026) (i32.const 193)))
(assert_return (invoke "poke" (i32.const 31027) (i32.const 0)))
(assert_return (invoke "prefix" (i32.const 30000) (i32.const 31000) (i32.const 100)) (i32.const 27))
(assert_return (invoke "cmp" (i32.const 30000) (i32.const 31000) (i32.const 100)) (i32.const 200))
(assert_return (invoke "poke" (i32.const 31027) (i32.const 200)))
(assert_return (invoke "poke" (i32.const 31028) (i32.const 0)))
(assert_return (invoke "prefix" (i32.const 30000) (i32.const 31000) (i32.const 100)) (i32.const 28))
(assert_return (invoke "cmp" (i32.const 30000) (i32.const 31000) (i32.const 100)) (i32.const 207))
(assert_return (invoke "poke" (i32.const 31028) (i32.const 207)))
(assert_return (invoke "poke" (i32.const 31029) (i32.const 0)))
(assert_return (invoke "prefix" (i32.const 30000) (i32.const 31000) (i32.const 100)) (i32.const 29))
(assert_return (invoke "cmp" (i32.const 30000) (i32.const 31000) (i32.const 100)) (i32.const 214))
(assert_return (invoke "poke" (i32.const 31029) (i32.const 214)))
(assert_return (invoke "poke" (i32.const 31030) (i32.const 0)))
(assert_return (invoke "prefix" (i32.const 30000) (i32.const 31000) (i32.const 100)) (i32.const 30))
(assert_return (invoke "cmp" (i32.const 30000) (i32.const 31000) (i32.const 100)) (i32.const 221))
(assert_return (invoke "poke" (i32.const 31030) (i32.const 221)))
(assert_return (invoke "poke" (i32.const 31031) (i32.const 0)))
(assert_return (invoke "prefix" (i32.const 30000) (i32.const 31000) (i32.const 100)) (i32.const 31))
(assert_return (invoke "cmp" (i32.const 30000) (i32.const 31000) (i32.const 100)) (i32.const 228))
(assert_return (invoke "poke" (i32.const 31031) (i32.const 228)))
;; Two differences in one block: the first decides.
(assert_return (invoke "poke" (i32.const 31025) (i32.const 0)))
(assert_return (invoke "poke" (i32.const 31021) (i32.const 255)))
(assert_return (invoke "prefix" (i32.const 30000) (i32.const 31000) (i32.const 100)) (i32.const 21))
(assert_return (invoke "cmp" (i32.const 30000) (i32.const 31000) (i32.const 100)) (i32.const -97))
;; A difference in the last block the compare may skip over, and the bytes after it.
(assert_return (invoke "prefix" (i32.const 30000) (i32.const 31000) (i32.const 22)) (i32.const 21))
(assert_return (invoke "prefix" (i32.const 30000) (i32.const 31000) (i32.const 21)) (i32.const 21))
(assert_return (invoke "poke" (i32.const 31021) (i32.const 158)))
(assert_return (invoke "poke" (i32.const 31025) (i32.const 186)))
(assert_return (invoke "prefix" (i32.const 30000) (i32.const 31000) (i32.const 100)) (i32.const 100))
