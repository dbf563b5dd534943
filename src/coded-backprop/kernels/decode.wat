;; The decode's inner loop on the heap, with wasm SIMD (f64x2): block += d·part, block float64,
;; part float32, both rows×cols (part rows `stride` floats apart, block rows packed), returning
;; Σ part² in the same pass. The block's values are exactly the JS loop's (tensor-moves.ts
;; addScaledRun/addScaledStrided: each entry block + d·x in float64); Σ part² is summed in two
;; lanes, so it may differ from the JS sum in the last bits (it only enters the precision bound).
;; Pointers are byte offsets into the imported memory (tfjs-wasm's heap); no data, no globals.
(module
  (import "env" "memory" (memory 1))

  (func $axpy_strided (export "axpy_strided") (param $blk i32) (param $src i32) (param $stride i32) (param $rows i32) (param $cols i32) (param $d f64) (result f64)
    (local $r i32) (local $p i32) (local $q i32) (local $end2 i32) (local $end i32)
    (local $vd v128) (local $acc v128) (local $x v128) (local $t f64) (local $tail f64)
    (local.set $vd (f64x2.splat (local.get $d)))
    (local.set $acc (f64x2.splat (f64.const 0)))
    (block $done
      (loop $row
        (br_if $done (i32.ge_u (local.get $r) (local.get $rows)))
        (local.set $p (i32.add (local.get $src) (i32.shl (i32.mul (local.get $r) (local.get $stride)) (i32.const 2))))
        (local.set $q (i32.add (local.get $blk) (i32.shl (i32.mul (local.get $r) (local.get $cols)) (i32.const 3))))
        (local.set $end (i32.add (local.get $p) (i32.shl (local.get $cols) (i32.const 2))))
        (local.set $end2 (i32.add (local.get $p) (i32.shl (i32.and (local.get $cols) (i32.const -2)) (i32.const 2))))
        (block $b2
          (loop $l2
            (br_if $b2 (i32.ge_u (local.get $p) (local.get $end2)))
            (local.set $x (f64x2.promote_low_f32x4 (v128.load64_zero (local.get $p))))
            (local.set $acc (f64x2.add (local.get $acc) (f64x2.mul (local.get $x) (local.get $x))))
            (v128.store (local.get $q) (f64x2.add (v128.load (local.get $q)) (f64x2.mul (local.get $vd) (local.get $x))))
            (local.set $p (i32.add (local.get $p) (i32.const 8)))
            (local.set $q (i32.add (local.get $q) (i32.const 16)))
            (br $l2)))
        (if (i32.lt_u (local.get $p) (local.get $end))
          (then
            (local.set $t (f64.promote_f32 (f32.load (local.get $p))))
            (local.set $tail (f64.add (local.get $tail) (f64.mul (local.get $t) (local.get $t))))
            (f64.store (local.get $q) (f64.add (f64.load (local.get $q)) (f64.mul (local.get $d) (local.get $t))))))
        (local.set $r (i32.add (local.get $r) (i32.const 1)))
        (br $row)))
    (f64.add (f64.add (f64x2.extract_lane 0 (local.get $acc)) (f64x2.extract_lane 1 (local.get $acc))) (local.get $tail)))

  (func $sumsq_strided (export "sumsq_strided") (param $src i32) (param $stride i32) (param $rows i32) (param $cols i32) (result f64)
    (local $r i32) (local $p i32) (local $end2 i32) (local $end i32)
    (local $acc v128) (local $x v128) (local $t f64) (local $tail f64)
    (local.set $acc (f64x2.splat (f64.const 0)))
    (block $done
      (loop $row
        (br_if $done (i32.ge_u (local.get $r) (local.get $rows)))
        (local.set $p (i32.add (local.get $src) (i32.shl (i32.mul (local.get $r) (local.get $stride)) (i32.const 2))))
        (local.set $end (i32.add (local.get $p) (i32.shl (local.get $cols) (i32.const 2))))
        (local.set $end2 (i32.add (local.get $p) (i32.shl (i32.and (local.get $cols) (i32.const -2)) (i32.const 2))))
        (block $b2
          (loop $l2
            (br_if $b2 (i32.ge_u (local.get $p) (local.get $end2)))
            (local.set $x (f64x2.promote_low_f32x4 (v128.load64_zero (local.get $p))))
            (local.set $acc (f64x2.add (local.get $acc) (f64x2.mul (local.get $x) (local.get $x))))
            (local.set $p (i32.add (local.get $p) (i32.const 8)))
            (br $l2)))
        (if (i32.lt_u (local.get $p) (local.get $end))
          (then
            (local.set $t (f64.promote_f32 (f32.load (local.get $p))))
            (local.set $tail (f64.add (local.get $tail) (f64.mul (local.get $t) (local.get $t))))))
        (local.set $r (i32.add (local.get $r) (i32.const 1)))
        (br $row)))
    (f64.add (f64.add (f64x2.extract_lane 0 (local.get $acc)) (f64x2.extract_lane 1 (local.get $acc))) (local.get $tail)))
;; A whole decoded block in one pass: blk[e] = Σ_k d_k·src_k[e] for e < n (blk float64, each
;; src_k a contiguous float32 run), the terms added in list order onto 0 — exactly what zeroing
;; blk and calling axpy_strided once per term gives — returning Σ blk² (two lanes, for the norm
;; the precision check reads). `list` holds `count` 16-byte entries: f64 d_k, then i32 src_k.
  (func $combine_runs (export "combine_runs") (param $blk i32) (param $list i32) (param $count i32) (param $n i32) (result f64)
    (local $e i32) (local $end2 i32) (local $q i32) (local $ent i32) (local $stop i32)
    (local $acc v128) (local $sq v128) (local $s f64) (local $tail f64)
    (local $end8 i32) (local $p i32) (local $vd v128) (local $acc1 v128) (local $acc2 v128) (local $acc3 v128)
    (local.set $sq (f64x2.splat (f64.const 0)))
    (local.set $stop (i32.add (local.get $list) (i32.shl (local.get $count) (i32.const 4))))
    (local.set $end2 (i32.shl (i32.and (local.get $n) (i32.const -2)) (i32.const 2)))
    (local.set $q (local.get $blk))
    ;; eight entries at a time (four accumulators), so each term's d and address are loaded once per eight
    (local.set $end8 (i32.shl (i32.and (local.get $n) (i32.const -8)) (i32.const 2)))
    (block $b8
      (loop $l8
        (br_if $b8 (i32.ge_u (local.get $e) (local.get $end8)))
        (local.set $acc (f64x2.splat (f64.const 0)))
        (local.set $acc1 (f64x2.splat (f64.const 0)))
        (local.set $acc2 (f64x2.splat (f64.const 0)))
        (local.set $acc3 (f64x2.splat (f64.const 0)))
        (local.set $ent (local.get $list))
        (block $bk8
          (loop $lk8
            (br_if $bk8 (i32.ge_u (local.get $ent) (local.get $stop)))
            (local.set $vd (f64x2.splat (f64.load (local.get $ent))))
            (local.set $p (i32.add (i32.load offset=8 (local.get $ent)) (local.get $e)))
            (local.set $acc (f64x2.add (local.get $acc) (f64x2.mul (local.get $vd) (f64x2.promote_low_f32x4 (v128.load64_zero (local.get $p))))))
            (local.set $acc1 (f64x2.add (local.get $acc1) (f64x2.mul (local.get $vd) (f64x2.promote_low_f32x4 (v128.load64_zero offset=8 (local.get $p))))))
            (local.set $acc2 (f64x2.add (local.get $acc2) (f64x2.mul (local.get $vd) (f64x2.promote_low_f32x4 (v128.load64_zero offset=16 (local.get $p))))))
            (local.set $acc3 (f64x2.add (local.get $acc3) (f64x2.mul (local.get $vd) (f64x2.promote_low_f32x4 (v128.load64_zero offset=24 (local.get $p))))))
            (local.set $ent (i32.add (local.get $ent) (i32.const 16)))
            (br $lk8)))
        (v128.store (local.get $q) (local.get $acc))
        (v128.store offset=16 (local.get $q) (local.get $acc1))
        (v128.store offset=32 (local.get $q) (local.get $acc2))
        (v128.store offset=48 (local.get $q) (local.get $acc3))
        (local.set $sq (f64x2.add (local.get $sq) (f64x2.add (f64x2.add (f64x2.mul (local.get $acc) (local.get $acc)) (f64x2.mul (local.get $acc1) (local.get $acc1)))
          (f64x2.add (f64x2.mul (local.get $acc2) (local.get $acc2)) (f64x2.mul (local.get $acc3) (local.get $acc3))))))
        (local.set $e (i32.add (local.get $e) (i32.const 32)))
        (local.set $q (i32.add (local.get $q) (i32.const 64)))
        (br $l8)))
    (block $b2
      (loop $l2
        (br_if $b2 (i32.ge_u (local.get $e) (local.get $end2)))
        (local.set $acc (f64x2.splat (f64.const 0)))
        (local.set $ent (local.get $list))
        (block $bk
          (loop $lk
            (br_if $bk (i32.ge_u (local.get $ent) (local.get $stop)))
            (local.set $acc (f64x2.add (local.get $acc)
              (f64x2.mul (f64x2.splat (f64.load (local.get $ent)))
                (f64x2.promote_low_f32x4 (v128.load64_zero (i32.add (i32.load offset=8 (local.get $ent)) (local.get $e)))))))
            (local.set $ent (i32.add (local.get $ent) (i32.const 16)))
            (br $lk)))
        (v128.store (local.get $q) (local.get $acc))
        (local.set $sq (f64x2.add (local.get $sq) (f64x2.mul (local.get $acc) (local.get $acc))))
        (local.set $e (i32.add (local.get $e) (i32.const 8)))
        (local.set $q (i32.add (local.get $q) (i32.const 16)))
        (br $l2)))
    (if (i32.and (local.get $n) (i32.const 1))
      (then
        (local.set $ent (local.get $list))
        (block $bt
          (loop $lt
            (br_if $bt (i32.ge_u (local.get $ent) (local.get $stop)))
            (local.set $s (f64.add (local.get $s)
              (f64.mul (f64.load (local.get $ent)) (f64.promote_f32 (f32.load (i32.add (i32.load offset=8 (local.get $ent)) (local.get $e)))))))
            (local.set $ent (i32.add (local.get $ent) (i32.const 16)))
            (br $lt)))
        (f64.store (local.get $q) (local.get $s))
        (local.set $tail (f64.mul (local.get $s) (local.get $s)))))
    (f64.add (f64.add (f64x2.extract_lane 0 (local.get $sq)) (f64x2.extract_lane 1 (local.get $sq))) (local.get $tail)))
)
