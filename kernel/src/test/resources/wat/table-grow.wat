;; table-grow: grows two tables up to and past a process's 1,000,000 table entries in
;; all, reporting each result to parigot.test.v1.Probe (method = tag, request = the i32):
;;   1 table.size $a          (1)
;;   2 table.grow $a 1000     (the old size, 1)
;;   3 table.grow $a 998998   (1001; the tables now hold 999,999 entries)
;;   4 table.grow $b 2        (past the cap across both tables: -1)
;;   5 table.grow $b 1        (to the cap: the old size, 0)
;;   6 table.grow $a 1        (past the cap: -1)
;;   7 table.size $a          (still 999999)
;; then exits 0.
(module
  (import "parigot" "locate" (func $locate (param i32 i32) (result i32)))
  (import "parigot" "call" (func $call (param i32 i32 i32 i32 i64) (result i32)))
  (import "parigot" "exit" (func $exit (param i32)))
  (memory 1)
  (table $a 1 funcref)
  (table $b 0 funcref)
  (data (i32.const 256) "parigot.test.v1.Probe")
  (global $probe (mut i32) (i32.const 0))

  (func $report (param $tag i32) (param $value i32)
    (i32.store (i32.const 512) (local.get $value))
    (drop (call $call (global.get $probe) (local.get $tag) (i32.const 512) (i32.const 4) (i64.const 0))))

  (func (export "_start")
    (global.set $probe (call $locate (i32.const 256) (i32.const 21)))
    (call $report (i32.const 1) (table.size $a))
    (call $report (i32.const 2) (table.grow $a (ref.null func) (i32.const 1000)))
    (call $report (i32.const 3) (table.grow $a (ref.null func) (i32.const 998998)))
    (call $report (i32.const 4) (table.grow $b (ref.null func) (i32.const 2)))
    (call $report (i32.const 5) (table.grow $b (ref.null func) (i32.const 1)))
    (call $report (i32.const 6) (table.grow $a (ref.null func) (i32.const 1)))
    (call $report (i32.const 7) (table.size $a))
    (call $exit (i32.const 0))))
