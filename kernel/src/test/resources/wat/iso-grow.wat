;; iso-grow: grows its memory up to and past the program's memory_mib (run with
;; memory_mib = 1, i.e. 16 pages) and reports each result to parigot.test.v1.Probe
;; (method = tag, request = the i32 result):
;;   1 memory.grow 15        (to the cap: the old size, 1)
;;   2 memory.grow 1         (past the cap: -1)
;;   3 memory.grow 65536     (far past: -1)
;;   4 memory.size           (still 16)
;;   5 the i32 stored at and loaded back from the last 4 bytes of page 16 (0x5a5a5a5a)
;; then exits 0.
;; Memory (1 page at start): report value at 512, Probe's name at 256.
(module
  (import "parigot" "locate" (func $locate (param i32 i32) (result i32)))
  (import "parigot" "call" (func $call (param i32 i32 i32 i32 i64) (result i32)))
  (import "parigot" "exit" (func $exit (param i32)))
  (memory 1)
  (data (i32.const 256) "parigot.test.v1.Probe")
  (global $probe (mut i32) (i32.const 0))

  (func $report (param $tag i32) (param $value i32)
    (i32.store (i32.const 512) (local.get $value))
    (drop (call $call (global.get $probe) (local.get $tag) (i32.const 512) (i32.const 4) (i64.const 0))))

  (func (export "_start")
    (global.set $probe (call $locate (i32.const 256) (i32.const 21)))
    (call $report (i32.const 1) (memory.grow (i32.const 15)))
    (call $report (i32.const 2) (memory.grow (i32.const 1)))
    (call $report (i32.const 3) (memory.grow (i32.const 65536)))
    (call $report (i32.const 4) (memory.size))
    (i32.store (i32.const 1048572) (i32.const 0x5a5a5a5a))
    (call $report (i32.const 5) (i32.load (i32.const 1048572)))
    (call $exit (i32.const 0))))
