;; sched-start-spin: a module whose start function computes for ever without entering the kernel,
;; so that it spins while the process is being made, before its _start runs (which would exit 0).
(module
  (import "parigot" "exit" (func $exit (param i32)))
  (memory 1)
  (func $spin
    (local $i i32)
    (loop $round
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (i32.store (i32.const 0) (local.get $i))
      (br $round)))
  (start $spin)
  (func (export "_start")
    (call $exit (i32.const 0))))
