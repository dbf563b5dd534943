;; Squared L2 norms of the rows and of the columns of a row-major float32 matrix, in float64,
;; with wasm SIMD (f64x2). The summation order is exactly that of partition.ts's JS loops
;; (scoresF32/scoresAny), so both give the same scores bit for bit:
;;   rows:    four accumulators a0..a3 over columns c ≡ 0..3 (mod 4), the tail added to a0,
;;            then (a0 + a1) + (a2 + a3);
;;   columns: four rows per sweep, out[c] += (x0² + x1²) + (x2² + x3²), then the leftover rows
;;            one at a time.
;; Pointers are byte offsets into the imported memory (tfjs-wasm's heap). No data segments, no
;; globals: the module owns no memory, so sharing the heap with tfjs is safe.
(module
  (import "env" "memory" (memory 1))

  ;; out[r] = Σ_c a[r·cols + c]², r < rows (a: float32, out: float64)
  (func $row_sq (export "row_sq") (param $a i32) (param $rows i32) (param $cols i32) (param $out i32)
    (local $r i32) (local $p i32) (local $end4 i32) (local $end i32)
    (local $v0 v128) (local $v1 v128) (local $x v128) (local $a0 f64) (local $t f64)
    (block $done
      (loop $row
        (br_if $done (i32.ge_u (local.get $r) (local.get $rows)))
        (local.set $p (i32.add (local.get $a) (i32.shl (i32.mul (local.get $r) (local.get $cols)) (i32.const 2))))
        (local.set $end (i32.add (local.get $p) (i32.shl (local.get $cols) (i32.const 2))))
        (local.set $end4 (i32.add (local.get $p) (i32.shl (i32.and (local.get $cols) (i32.const -4)) (i32.const 2))))
        (local.set $v0 (f64x2.splat (f64.const 0)))
        (local.set $v1 (f64x2.splat (f64.const 0)))
        (block $b4
          (loop $l4
            (br_if $b4 (i32.ge_u (local.get $p) (local.get $end4)))
            (local.set $x (f64x2.promote_low_f32x4 (v128.load64_zero (local.get $p))))
            (local.set $v0 (f64x2.add (local.get $v0) (f64x2.mul (local.get $x) (local.get $x))))
            (local.set $x (f64x2.promote_low_f32x4 (v128.load64_zero offset=8 (local.get $p))))
            (local.set $v1 (f64x2.add (local.get $v1) (f64x2.mul (local.get $x) (local.get $x))))
            (local.set $p (i32.add (local.get $p) (i32.const 16)))
            (br $l4)))
        (local.set $a0 (f64x2.extract_lane 0 (local.get $v0)))
        (block $b1
          (loop $l1
            (br_if $b1 (i32.ge_u (local.get $p) (local.get $end)))
            (local.set $t (f64.promote_f32 (f32.load (local.get $p))))
            (local.set $a0 (f64.add (local.get $a0) (f64.mul (local.get $t) (local.get $t))))
            (local.set $p (i32.add (local.get $p) (i32.const 4)))
            (br $l1)))
        (f64.store
          (i32.add (local.get $out) (i32.shl (local.get $r) (i32.const 3)))
          (f64.add
            (f64.add (local.get $a0) (f64x2.extract_lane 1 (local.get $v0)))
            (f64.add (f64x2.extract_lane 0 (local.get $v1)) (f64x2.extract_lane 1 (local.get $v1)))))
        (local.set $r (i32.add (local.get $r) (i32.const 1)))
        (br $row))))

  ;; out[c] = Σ_r b[r·cols + c]², c < cols (b: float32, out: float64; out is overwritten)
  (func $col_sq (export "col_sq") (param $b i32) (param $rows i32) (param $cols i32) (param $out i32)
    (local $r i32) (local $c i32) (local $cols2 i32) (local $stride i32)
    (local $p0 i32) (local $p1 i32) (local $p2 i32) (local $p3 i32) (local $o i32)
    (local $x0 v128) (local $x1 v128) (local $x2 v128) (local $x3 v128)
    (local $t0 f64) (local $t1 f64) (local $t2 f64) (local $t3 f64)
    (local.set $stride (i32.shl (local.get $cols) (i32.const 2)))
    (local.set $cols2 (i32.and (local.get $cols) (i32.const -2)))
    ;; zero out
    (local.set $c (i32.const 0))
    (block $bz
      (loop $lz
        (br_if $bz (i32.ge_u (local.get $c) (local.get $cols)))
        (f64.store (i32.add (local.get $out) (i32.shl (local.get $c) (i32.const 3))) (f64.const 0))
        (local.set $c (i32.add (local.get $c) (i32.const 1)))
        (br $lz)))
    ;; four rows per sweep
    (block $br4
      (loop $lr4
        (br_if $br4 (i32.gt_s (i32.add (local.get $r) (i32.const 3)) (i32.sub (local.get $rows) (i32.const 1))))
        (local.set $p0 (i32.add (local.get $b) (i32.mul (local.get $r) (local.get $stride))))
        (local.set $p1 (i32.add (local.get $p0) (local.get $stride)))
        (local.set $p2 (i32.add (local.get $p1) (local.get $stride)))
        (local.set $p3 (i32.add (local.get $p2) (local.get $stride)))
        (local.set $o (local.get $out))
        (local.set $c (i32.const 0))
        ;; two columns at a time
        (block $bc2
          (loop $lc2
            (br_if $bc2 (i32.ge_u (local.get $c) (local.get $cols2)))
            (local.set $x0 (f64x2.promote_low_f32x4 (v128.load64_zero (local.get $p0))))
            (local.set $x1 (f64x2.promote_low_f32x4 (v128.load64_zero (local.get $p1))))
            (local.set $x2 (f64x2.promote_low_f32x4 (v128.load64_zero (local.get $p2))))
            (local.set $x3 (f64x2.promote_low_f32x4 (v128.load64_zero (local.get $p3))))
            (v128.store (local.get $o)
              (f64x2.add (v128.load (local.get $o))
                (f64x2.add
                  (f64x2.add (f64x2.mul (local.get $x0) (local.get $x0)) (f64x2.mul (local.get $x1) (local.get $x1)))
                  (f64x2.add (f64x2.mul (local.get $x2) (local.get $x2)) (f64x2.mul (local.get $x3) (local.get $x3))))))
            (local.set $p0 (i32.add (local.get $p0) (i32.const 8)))
            (local.set $p1 (i32.add (local.get $p1) (i32.const 8)))
            (local.set $p2 (i32.add (local.get $p2) (i32.const 8)))
            (local.set $p3 (i32.add (local.get $p3) (i32.const 8)))
            (local.set $o (i32.add (local.get $o) (i32.const 16)))
            (local.set $c (i32.add (local.get $c) (i32.const 2)))
            (br $lc2)))
        ;; an odd last column
        (if (i32.lt_u (local.get $c) (local.get $cols))
          (then
            (local.set $t0 (f64.promote_f32 (f32.load (local.get $p0))))
            (local.set $t1 (f64.promote_f32 (f32.load (local.get $p1))))
            (local.set $t2 (f64.promote_f32 (f32.load (local.get $p2))))
            (local.set $t3 (f64.promote_f32 (f32.load (local.get $p3))))
            (f64.store (local.get $o)
              (f64.add (f64.load (local.get $o))
                (f64.add
                  (f64.add (f64.mul (local.get $t0) (local.get $t0)) (f64.mul (local.get $t1) (local.get $t1)))
                  (f64.add (f64.mul (local.get $t2) (local.get $t2)) (f64.mul (local.get $t3) (local.get $t3))))))))
        (local.set $r (i32.add (local.get $r) (i32.const 4)))
        (br $lr4)))
    ;; the leftover rows, one at a time
    (block $br1
      (loop $lr1
        (br_if $br1 (i32.ge_u (local.get $r) (local.get $rows)))
        (local.set $p0 (i32.add (local.get $b) (i32.mul (local.get $r) (local.get $stride))))
        (local.set $o (local.get $out))
        (local.set $c (i32.const 0))
        (block $bc
          (loop $lc
            (br_if $bc (i32.ge_u (local.get $c) (local.get $cols)))
            (local.set $t0 (f64.promote_f32 (f32.load (local.get $p0))))
            (f64.store (local.get $o) (f64.add (f64.load (local.get $o)) (f64.mul (local.get $t0) (local.get $t0))))
            (local.set $p0 (i32.add (local.get $p0) (i32.const 4)))
            (local.set $o (i32.add (local.get $o) (i32.const 8)))
            (local.set $c (i32.add (local.get $c) (i32.const 1)))
            (br $lc)))
        (local.set $r (i32.add (local.get $r) (i32.const 1)))
        (br $lr1)))))
