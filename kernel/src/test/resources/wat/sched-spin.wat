;; sched-spin: computes without waiting, to share the carriers with others, as its first
;; argument (argv[1][0]) says; it reports to parigot.test.v1.Probe (method = tag, request = i32):
;;   p  computes for ever; after every 2^22 rounds reports (tag 1) how many times it has
;;   c  calls clock_time_get in a loop for ever; after every 2^14 calls reports (tag 2) likewise
;;   n  reports 0 (tag 3), computes 2^29 rounds without entering the kernel, reports the sum
;;      (tag 4) and exits 0
;;   w  waits three times for 200 ms (no event comes), then exits 0
;; Each round stores to memory, so that the JIT cannot drop the loop. Reports are not awaited:
;; each channel is cancelled at once.
;; Memory (1 page): argc/argv-size at 0, argv pointers at 16, argv bytes at 64, Probe's name at
;; 256, report value at 512, clock reading at 600, the rounds' store at 1024, an event record
;; at 2048, the event payload buffer at 4096.
(module
  (import "wasi_snapshot_preview1" "args_sizes_get" (func $args_sizes (param i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "args_get" (func $args_get (param i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "clock_time_get" (func $clock (param i32 i64 i32) (result i32)))
  (import "parigot" "locate" (func $locate (param i32 i32) (result i32)))
  (import "parigot" "call" (func $call (param i32 i32 i32 i32 i64) (result i32)))
  (import "parigot" "cancel" (func $cancel (param i32) (result i32)))
  (import "parigot" "wait" (func $wait (param i32 i32 i32 i32 i64) (result i32)))
  (import "parigot" "exit" (func $exit (param i32)))
  (memory 1)
  (data (i32.const 256) "parigot.test.v1.Probe")
  (global $probe (mut i32) (i32.const 0))

  (func $report (param $tag i32) (param $value i32)
    (i32.store (i32.const 512) (local.get $value))
    (drop (call $cancel
      (call $call (global.get $probe) (local.get $tag) (i32.const 512) (i32.const 4) (i64.const 0)))))

  (func (export "_start")
    (local $m i32) (local $i i32) (local $reports i32)
    (drop (call $args_sizes (i32.const 0) (i32.const 4)))
    (drop (call $args_get (i32.const 16) (i32.const 64)))
    (local.set $m (i32.load8_u (i32.load (i32.const 20))))
    (global.set $probe (call $locate (i32.const 256) (i32.const 21)))
    (if (i32.eq (local.get $m) (i32.const 112)) ;; p
      (then
        (loop $round
          (local.set $i (i32.add (local.get $i) (i32.const 1)))
          (i32.store (i32.const 1024) (i32.add (i32.load (i32.const 1024)) (local.get $i)))
          (if (i32.eqz (i32.and (local.get $i) (i32.const 0x3fffff)))
            (then
              (local.set $reports (i32.add (local.get $reports) (i32.const 1)))
              (call $report (i32.const 1) (local.get $reports))))
          (br $round))))
    (if (i32.eq (local.get $m) (i32.const 99)) ;; c
      (then
        (loop $call
          (local.set $i (i32.add (local.get $i) (i32.const 1)))
          (drop (call $clock (i32.const 1) (i64.const 1) (i32.const 600)))
          (if (i32.eqz (i32.and (local.get $i) (i32.const 0x3fff)))
            (then
              (local.set $reports (i32.add (local.get $reports) (i32.const 1)))
              (call $report (i32.const 2) (local.get $reports))))
          (br $call))))
    (if (i32.eq (local.get $m) (i32.const 119)) ;; w
      (then
        (drop (call $wait (i32.const 2048) (i32.const 1) (i32.const 4096) (i32.const 1024) (i64.const 200)))
        (drop (call $wait (i32.const 2048) (i32.const 1) (i32.const 4096) (i32.const 1024) (i64.const 200)))
        (drop (call $wait (i32.const 2048) (i32.const 1) (i32.const 4096) (i32.const 1024) (i64.const 200)))
        (call $exit (i32.const 0))))
    (call $report (i32.const 3) (i32.const 0))
    (loop $round
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (i32.store (i32.const 1024) (i32.add (i32.load (i32.const 1024)) (local.get $i)))
      (br_if $round (i32.lt_u (local.get $i) (i32.const 0x20000000))))
    (call $report (i32.const 4) (i32.load (i32.const 1024)))
    (call $exit (i32.const 0))))
