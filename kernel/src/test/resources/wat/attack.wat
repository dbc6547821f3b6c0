;; attack: guests that try to make the kernel hold more memory than its budget allows
;; (issue 18, findings 1, 2 and 5). argv[1][0] picks the mode; reports go to
;; parigot.test.v1.Probe (method = tag, request = an i32).
;;   r  replier: exports attack.v1.Big and answers every CALL with an END of its request,
;;      reporting 12 the reply's result each time
;;   f  flood: spawns 8 "flooder" workers, reads their 8 EXITs and exits 0
;;   b  bomb: runs "bomb" itself (below)
;;   g  grow a table: 6 table.grow $t 500000 (6 MB), 7 table.grow $t 100000, 8 table.size $t;
;;      then exits 0
;;   m  grow memory: 9 memory.grow 100 (6.4 MB), 10 memory.grow 13, 11 memory.size; then
;;      exits 0
;; Workers:
;;   flooder  reads its first MESSAGE, calls attack.v1.Big 32 times with 65504 bytes each
;;            (without reading), then stops at parigot.test.v1.Gate (a Java service that
;;            blocks the call until the test lets it through) and cancels that channel; then
;;            reads until each of the 32 calls has its final event and reports 1 the ENDs,
;;            2 the ERRORs with code -WOULD_EXCEED_LIMIT, 3 any other final event
;;   bomb     spawns "bomb" until a spawn fails or it has 16 workers, reports 4 how many it
;;            spawned and 5 the failed spawn's result (0 if none failed), then waits forever
;; Memory (3 pages): argc/argv-size at 0, argv pointers at 16, argv bytes at 64..255,
;; strings at 256..511, report value at 512, event record at 1024, payload buffer at 65536
;; (64 KiB), request bytes at 131072 (64 KiB).
(module
  (import "wasi_snapshot_preview1" "args_sizes_get" (func $args_sizes (param i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "args_get" (func $args_get (param i32 i32) (result i32)))
  (import "parigot" "locate" (func $locate (param i32 i32) (result i32)))
  (import "parigot" "export" (func $export (param i32 i32) (result i32)))
  (import "parigot" "call" (func $call (param i32 i32 i32 i32 i64) (result i32)))
  (import "parigot" "wait" (func $wait (param i32 i32 i32 i32 i64) (result i32)))
  (import "parigot" "reply" (func $reply (param i32 i32 i32 i32) (result i32)))
  (import "parigot" "cancel" (func $cancel (param i32) (result i32)))
  (import "parigot" "spawn" (func $spawn (param i32 i32 i32 i32) (result i32)))
  (import "parigot" "exit" (func $exit (param i32)))
  (memory (export "memory") 3)
  (table $t 1 funcref)
  (data (i32.const 256) "parigot.test.v1.Probe")
  (data (i32.const 288) "parigot.test.v1.Gate")
  (data (i32.const 320) "attack.v1.Big")
  (data (i32.const 336) "flooder")
  (data (i32.const 344) "bomb")
  (global $probe (mut i32) (i32.const 0))

  (func $report (param $tag i32) (param $value i32)
    (if (i32.eqz (global.get $probe))
      (then (global.set $probe (call $locate (i32.const 256) (i32.const 21)))))
    (i32.store (i32.const 512) (local.get $value))
    (drop (call $call (global.get $probe) (local.get $tag) (i32.const 512) (i32.const 4) (i64.const 0))))

  ;; Waits for one event (record at 1024, payload at 65536).
  (func $next
    (drop (call $wait (i32.const 1024) (i32.const 1) (i32.const 65536) (i32.const 65536) (i64.const -1))))
  (func $kind (result i32) (i32.load (i32.const 1024)))
  (func $handle (result i32) (i32.load (i32.const 1028)))
  (func $code (result i32) (i32.load (i32.const 1032)))

  (func $replier
    (drop (call $export (i32.const 320) (i32.const 13)))
    (loop $forever
      (call $next)
      (if (i32.eq (call $kind) (i32.const 4))
        (then
          (call $report (i32.const 12)
            (call $reply (call $handle) (i32.const 1)
              (i32.add (i32.const 65536) (i32.load (i32.const 1040)))
              (i32.load (i32.const 1044))))))
      (br $forever)))

  (func $flood
    (local $i i32) (local $exits i32)
    (loop $spawn
      (drop (call $spawn (i32.const 336) (i32.const 7) (i32.const 0) (i32.const 0)))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br_if $spawn (i32.lt_u (local.get $i) (i32.const 8))))
    (loop $read
      (call $next)
      (if (i32.eq (call $kind) (i32.const 7))
        (then (local.set $exits (i32.add (local.get $exits) (i32.const 1)))))
      (br_if $read (i32.lt_u (local.get $exits) (i32.const 8))))
    (call $exit (i32.const 0)))

  (func (export "flooder")
    (local $big i32) (local $first i32) (local $i i32) (local $h i32)
    (local $ends i32) (local $refused i32) (local $other i32)
    (call $next)
    (local.set $big (call $locate (i32.const 320) (i32.const 13)))
    (loop $calls
      (local.set $h
        (call $call (local.get $big) (i32.const 1) (i32.const 131072) (i32.const 65504) (i64.const 0)))
      (if (i32.eqz (local.get $i)) (then (local.set $first (local.get $h))))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br_if $calls (i32.lt_u (local.get $i) (i32.const 32))))
    (drop
      (call $cancel
        (call $call (call $locate (i32.const 288) (i32.const 20))
          (i32.const 0) (i32.const 0) (i32.const 0) (i64.const 0))))
    (loop $drain
      (call $next)
      (local.set $h (i32.sub (call $handle) (local.get $first)))
      (if (i32.and (i32.ge_s (local.get $h) (i32.const 0)) (i32.lt_s (local.get $h) (i32.const 32)))
        (then
          (if (i32.eq (call $kind) (i32.const 2))
            (then (local.set $ends (i32.add (local.get $ends) (i32.const 1))))
            (else
              (if (i32.and (i32.eq (call $kind) (i32.const 3)) (i32.eq (call $code) (i32.const -7)))
                (then (local.set $refused (i32.add (local.get $refused) (i32.const 1))))
                (else (local.set $other (i32.add (local.get $other) (i32.const 1)))))))))
      (br_if $drain
        (i32.lt_u (i32.add (i32.add (local.get $ends) (local.get $refused)) (local.get $other))
          (i32.const 32))))
    (call $report (i32.const 1) (local.get $ends))
    (call $report (i32.const 2) (local.get $refused))
    (call $report (i32.const 3) (local.get $other)))

  (func $bomb (export "bomb")
    (local $n i32) (local $r i32)
    (block $done
      (loop $spawn
        (br_if $done (i32.ge_u (local.get $n) (i32.const 16)))
        (local.set $r (call $spawn (i32.const 344) (i32.const 4) (i32.const 0) (i32.const 0)))
        (br_if $done (i32.lt_s (local.get $r) (i32.const 0)))
        (local.set $r (i32.const 0))
        (local.set $n (i32.add (local.get $n) (i32.const 1)))
        (br $spawn)))
    (call $report (i32.const 4) (local.get $n))
    (call $report (i32.const 5) (local.get $r))
    (loop $forever
      (call $next)
      (br $forever)))

  (func $grow
    (call $report (i32.const 6) (table.grow $t (ref.null func) (i32.const 500000)))
    (call $report (i32.const 7) (table.grow $t (ref.null func) (i32.const 100000)))
    (call $report (i32.const 8) (table.size $t))
    (call $exit (i32.const 0)))

  (func $memory
    (call $report (i32.const 9) (memory.grow (i32.const 100)))
    (call $report (i32.const 10) (memory.grow (i32.const 13)))
    (call $report (i32.const 11) (memory.size))
    (call $exit (i32.const 0)))

  (func (export "_start")
    (local $m i32)
    (drop (call $args_sizes (i32.const 0) (i32.const 4)))
    (drop (call $args_get (i32.const 16) (i32.const 64)))
    (local.set $m (i32.load8_u (i32.load (i32.const 20))))
    (if (i32.eq (local.get $m) (i32.const 114)) (then (call $replier)))
    (if (i32.eq (local.get $m) (i32.const 102)) (then (call $flood)))
    (if (i32.eq (local.get $m) (i32.const 98)) (then (call $bomb)))
    (if (i32.eq (local.get $m) (i32.const 103)) (then (call $grow)))
    (if (i32.eq (local.get $m) (i32.const 109)) (then (call $memory)))
    (call $exit (i32.const 2))))
