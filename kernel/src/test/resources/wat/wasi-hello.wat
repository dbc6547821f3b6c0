;; A main that writes "hello from wasi\n" to stdout and "oops\n" to stderr with WASI fd_write,
;; then returns from _start (exit code 0).
;; Memory: iovec at 0 (ptr, len), bytes-written at 8, text at 16 and 48.
(module
  (import "wasi_snapshot_preview1" "fd_write" (func $fd_write (param i32 i32 i32 i32) (result i32)))
  (memory (export "memory") 1)
  (data (i32.const 16) "hello from wasi\n")
  (data (i32.const 48) "oops\n")
  (func $write (param $fd i32) (param $ptr i32) (param $len i32)
    (i32.store (i32.const 0) (local.get $ptr))
    (i32.store (i32.const 4) (local.get $len))
    (drop (call $fd_write (local.get $fd) (i32.const 0) (i32.const 1) (i32.const 8))))
  (func (export "_start")
    (call $write (i32.const 1) (i32.const 16) (i32.const 16))
    (call $write (i32.const 2) (i32.const 48) (i32.const 5))))
