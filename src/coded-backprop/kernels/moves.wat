;; The tensor path's data movement on the heap (tensor-moves.ts's loops, the same arithmetic:
;; a scaled float32 value is s·x in float64 rounded once to float32, an added one
;; (dst + s·x) in float64 rounded once). Index lists are int32 arrays in the heap (element
;; indices); all other pointers are byte offsets of float32 (or, for a block, float64) data.
;; Gathers and scatters go through index lists, so they stay scalar: in wasm they cost no
;; bounds checks. Contiguous rows use f64x2. No data segments, no globals.
(module
  (import "env" "memory" (memory 1))

  ;; dst[r·dstStride + q] = src[r·p + idx[q]], r < rows, q < w  (copyColumns)
  (func $gather_cols (export "gather_cols") (param $dst i32) (param $dstStride i32) (param $src i32) (param $p i32) (param $rows i32) (param $idx i32) (param $w i32)
    (local $r i32) (local $q i32) (local $d i32) (local $s i32) (local $i i32)
    (block $done
      (loop $row
        (br_if $done (i32.ge_u (local.get $r) (local.get $rows)))
        (local.set $d (i32.add (local.get $dst) (i32.shl (i32.mul (local.get $r) (local.get $dstStride)) (i32.const 2))))
        (local.set $s (i32.add (local.get $src) (i32.shl (i32.mul (local.get $r) (local.get $p)) (i32.const 2))))
        (local.set $i (local.get $idx))
        (local.set $q (i32.const 0))
        (block $bq
          (loop $lq
            (br_if $bq (i32.ge_u (local.get $q) (local.get $w)))
            (f32.store (local.get $d) (f32.load (i32.add (local.get $s) (i32.shl (i32.load (local.get $i)) (i32.const 2)))))
            (local.set $d (i32.add (local.get $d) (i32.const 4)))
            (local.set $i (i32.add (local.get $i) (i32.const 4)))
            (local.set $q (i32.add (local.get $q) (i32.const 1)))
            (br $lq)))
        (local.set $r (i32.add (local.get $r) (i32.const 1)))
        (br $row))))

  ;; dst[r·dstStride + q] (first ? =, else +=) s·src[r·p + idx[q]]  (gatherColumns)
  (func $gather_cols_axpy (export "gather_cols_axpy") (param $dst i32) (param $dstStride i32) (param $src i32) (param $p i32) (param $rows i32) (param $idx i32) (param $w i32) (param $sc f64) (param $first i32)
    (local $r i32) (local $q i32) (local $d i32) (local $s i32) (local $i i32) (local $x f64)
    (block $done
      (loop $row
        (br_if $done (i32.ge_u (local.get $r) (local.get $rows)))
        (local.set $d (i32.add (local.get $dst) (i32.shl (i32.mul (local.get $r) (local.get $dstStride)) (i32.const 2))))
        (local.set $s (i32.add (local.get $src) (i32.shl (i32.mul (local.get $r) (local.get $p)) (i32.const 2))))
        (local.set $i (local.get $idx))
        (local.set $q (i32.const 0))
        (block $bq
          (loop $lq
            (br_if $bq (i32.ge_u (local.get $q) (local.get $w)))
            (local.set $x (f64.mul (local.get $sc) (f64.promote_f32 (f32.load (i32.add (local.get $s) (i32.shl (i32.load (local.get $i)) (i32.const 2)))))))
            (if (i32.eqz (local.get $first))
              (then (local.set $x (f64.add (f64.promote_f32 (f32.load (local.get $d))) (local.get $x)))))
            (f32.store (local.get $d) (f32.demote_f64 (local.get $x)))
            (local.set $d (i32.add (local.get $d) (i32.const 4)))
            (local.set $i (i32.add (local.get $i) (i32.const 4)))
            (local.set $q (i32.add (local.get $q) (i32.const 1)))
            (br $lq)))
        (local.set $r (i32.add (local.get $r) (i32.const 1)))
        (br $row))))

  ;; dst[k·cols + c] (first ? =, else +=) s·src[idx[k]·cols + c], k < n, c < cols  (addRows, copyRows with s = 1)
  (func $add_rows (export "add_rows") (param $dst i32) (param $src i32) (param $cols i32) (param $idx i32) (param $n i32) (param $sc f64) (param $first i32)
    (local $k i32) (local $d i32) (local $s i32) (local $end i32) (local $end2 i32)
    (local $vs v128) (local $x v128) (local $t f64)
    (local.set $vs (f64x2.splat (local.get $sc)))
    (local.set $d (local.get $dst))
    (block $done
      (loop $row
        (br_if $done (i32.ge_u (local.get $k) (local.get $n)))
        (local.set $s (i32.add (local.get $src) (i32.shl (i32.mul (i32.load (i32.add (local.get $idx) (i32.shl (local.get $k) (i32.const 2)))) (local.get $cols)) (i32.const 2))))
        (local.set $end (i32.add (local.get $s) (i32.shl (local.get $cols) (i32.const 2))))
        (local.set $end2 (i32.add (local.get $s) (i32.shl (i32.and (local.get $cols) (i32.const -2)) (i32.const 2))))
        (block $b2
          (loop $l2
            (br_if $b2 (i32.ge_u (local.get $s) (local.get $end2)))
            (local.set $x (f64x2.mul (local.get $vs) (f64x2.promote_low_f32x4 (v128.load64_zero (local.get $s)))))
            (if (i32.eqz (local.get $first))
              (then (local.set $x (f64x2.add (f64x2.promote_low_f32x4 (v128.load64_zero (local.get $d))) (local.get $x)))))
            (v128.store64_lane 0 (local.get $d) (f32x4.demote_f64x2_zero (local.get $x)))
            (local.set $s (i32.add (local.get $s) (i32.const 8)))
            (local.set $d (i32.add (local.get $d) (i32.const 8)))
            (br $l2)))
        (if (i32.lt_u (local.get $s) (local.get $end))
          (then
            (local.set $t (f64.mul (local.get $sc) (f64.promote_f32 (f32.load (local.get $s)))))
            (if (i32.eqz (local.get $first))
              (then (local.set $t (f64.add (f64.promote_f32 (f32.load (local.get $d))) (local.get $t)))))
            (f32.store (local.get $d) (f32.demote_f64 (local.get $t)))
            (local.set $d (i32.add (local.get $d) (i32.const 4)))))
        (local.set $k (i32.add (local.get $k) (i32.const 1)))
        (br $row))))

  ;; c[rowIdx[k]·p + colIdx[q]] = s·src[k·srcStride + q], k < nRows, q < w  (scatterPart)
  (func $scatter_part (export "scatter_part") (param $c i32) (param $p i32) (param $src i32) (param $srcStride i32) (param $sc f64) (param $rowIdx i32) (param $nRows i32) (param $colIdx i32) (param $w i32)
    (local $k i32) (local $q i32) (local $o i32) (local $v i32) (local $i i32)
    (block $done
      (loop $row
        (br_if $done (i32.ge_u (local.get $k) (local.get $nRows)))
        (local.set $o (i32.add (local.get $c) (i32.shl (i32.mul (i32.load (i32.add (local.get $rowIdx) (i32.shl (local.get $k) (i32.const 2)))) (local.get $p)) (i32.const 2))))
        (local.set $v (i32.add (local.get $src) (i32.shl (i32.mul (local.get $k) (local.get $srcStride)) (i32.const 2))))
        (local.set $i (local.get $colIdx))
        (local.set $q (i32.const 0))
        (block $bq
          (loop $lq
            (br_if $bq (i32.ge_u (local.get $q) (local.get $w)))
            (f32.store
              (i32.add (local.get $o) (i32.shl (i32.load (local.get $i)) (i32.const 2)))
              (f32.demote_f64 (f64.mul (local.get $sc) (f64.promote_f32 (f32.load (local.get $v))))))
            (local.set $v (i32.add (local.get $v) (i32.const 4)))
            (local.set $i (i32.add (local.get $i) (i32.const 4)))
            (local.set $q (i32.add (local.get $q) (i32.const 1)))
            (br $lq)))
        (local.set $k (i32.add (local.get $k) (i32.const 1)))
        (br $row))))

  ;; c[rowIdx[k]·p + colIdx[q]] = value[k·Q + q] (float64 rounded to float32), k < nRows, q < w  (scatterBlock)
  (func $scatter_block (export "scatter_block") (param $c i32) (param $p i32) (param $value i32) (param $Q i32) (param $rowIdx i32) (param $nRows i32) (param $colIdx i32) (param $w i32)
    (local $k i32) (local $q i32) (local $o i32) (local $v i32) (local $i i32)
    (block $done
      (loop $row
        (br_if $done (i32.ge_u (local.get $k) (local.get $nRows)))
        (local.set $o (i32.add (local.get $c) (i32.shl (i32.mul (i32.load (i32.add (local.get $rowIdx) (i32.shl (local.get $k) (i32.const 2)))) (local.get $p)) (i32.const 2))))
        (local.set $v (i32.add (local.get $value) (i32.shl (i32.mul (local.get $k) (local.get $Q)) (i32.const 3))))
        (local.set $i (local.get $colIdx))
        (local.set $q (i32.const 0))
        (block $bq
          (loop $lq
            (br_if $bq (i32.ge_u (local.get $q) (local.get $w)))
            (f32.store
              (i32.add (local.get $o) (i32.shl (i32.load (local.get $i)) (i32.const 2)))
              (f32.demote_f64 (f64.load (local.get $v))))
            (local.set $v (i32.add (local.get $v) (i32.const 8)))
            (local.set $i (i32.add (local.get $i) (i32.const 4)))
            (local.set $q (i32.add (local.get $q) (i32.const 1)))
            (br $lq)))
        (local.set $k (i32.add (local.get $k) (i32.const 1)))
        (br $row))))

  ;; c[rowIdx[k]·p + colIdx[q]] = 0, k < nRows, q < w  (zeroBlocks, one block)
  (func $zero_region (export "zero_region") (param $c i32) (param $p i32) (param $rowIdx i32) (param $nRows i32) (param $colIdx i32) (param $w i32)
    (local $k i32) (local $q i32) (local $o i32) (local $i i32)
    (block $done
      (loop $row
        (br_if $done (i32.ge_u (local.get $k) (local.get $nRows)))
        (local.set $o (i32.add (local.get $c) (i32.shl (i32.mul (i32.load (i32.add (local.get $rowIdx) (i32.shl (local.get $k) (i32.const 2)))) (local.get $p)) (i32.const 2))))
        (local.set $i (local.get $colIdx))
        (local.set $q (i32.const 0))
        (block $bq
          (loop $lq
            (br_if $bq (i32.ge_u (local.get $q) (local.get $w)))
            (f32.store (i32.add (local.get $o) (i32.shl (i32.load (local.get $i)) (i32.const 2))) (f32.const 0))
            (local.set $i (i32.add (local.get $i) (i32.const 4)))
            (local.set $q (i32.add (local.get $q) (i32.const 1)))
            (br $lq)))
        (local.set $k (i32.add (local.get $k) (i32.const 1)))
        (br $row)))))
