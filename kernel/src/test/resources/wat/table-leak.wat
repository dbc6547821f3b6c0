;; table-leak: reports its table's size at start to parigot.test.v1.Probe (method 1,
;; request = the i32 size), then grows the table by 1000 entries and exits 0. Every
;; process of it must report 1: a grow in one process must not change the next one's table.
(module
  (import "parigot" "locate" (func $locate (param i32 i32) (result i32)))
  (import "parigot" "call" (func $call (param i32 i32 i32 i32 i64) (result i32)))
  (import "parigot" "exit" (func $exit (param i32)))
  (memory 1)
  (table 1 funcref)
  (data (i32.const 256) "parigot.test.v1.Probe")

  (func (export "_start")
    (i32.store (i32.const 512) (table.size 0))
    (drop (call $call (call $locate (i32.const 256) (i32.const 21))
      (i32.const 1) (i32.const 512) (i32.const 4) (i64.const 0)))
    (drop (table.grow 0 (ref.null func) (i32.const 1000)))
    (call $exit (i32.const 0))))
