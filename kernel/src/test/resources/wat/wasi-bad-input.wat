;; A WASI guest that hands the host's file functions bad input and checks each
;; errno. Expects fd 3 to be a granted directory "/data" holding a file "f"
;; ("abc") and a directory "d". A check that gets another errno exits with the
;; check's number; once all pass, a path out of the guest's memory traps.
(module
  (import "wasi_snapshot_preview1" "proc_exit" (func $proc_exit (param i32)))
  (import "wasi_snapshot_preview1" "path_open"
    (func $path_open (param i32 i32 i32 i32 i32 i64 i64 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_prestat_get"
    (func $prestat_get (param i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_prestat_dir_name"
    (func $prestat_dir_name (param i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_seek"
    (func $fd_seek (param i32 i64 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_write"
    (func $fd_write (param i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_readdir"
    (func $fd_readdir (param i32 i32 i32 i64 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_close" (func $fd_close (param i32) (result i32)))
  (import "wasi_snapshot_preview1" "path_rename"
    (func $path_rename (param i32 i32 i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "path_symlink"
    (func $path_symlink (param i32 i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "path_create_directory"
    (func $mkdir (param i32 i32 i32) (result i32)))
  (memory 1)
  (data (i32.const 16) "a\00b")        ;; a NUL inside a path
  (data (i32.const 32) "\ff\fe")       ;; not UTF-8
  (data (i32.const 48) "f")
  (data (i32.const 64) "f/x")
  (data (i32.const 80) "d")
  (data (i32.const 96) "x")            ;; an iovec at 200 points here
  (data (i32.const 200) "\60\00\00\00\01\00\00\00")

  (func $expect (param $got i32) (param $want i32) (param $check i32)
    (if (i32.ne (local.get $got) (local.get $want))
      (then (call $proc_exit (local.get $check)))))

  ;; Opens path (ptr, len) in fd 3 for reading; the errno, the fd at 1000.
  (func $open (param $ptr i32) (param $len i32) (result i32)
    (call $path_open (i32.const 3) (i32.const 0) (local.get $ptr) (local.get $len)
      (i32.const 0) (i64.const 2) (i64.const 0) (i32.const 0) (i32.const 1000)))

  (func (export "_start")
    (local $fd i32)
    ;; 1: NUL in a path: EINVAL
    (call $expect (call $open (i32.const 16) (i32.const 3)) (i32.const 28) (i32.const 1))
    ;; 2: a path that is not UTF-8: EILSEQ
    (call $expect (call $open (i32.const 32) (i32.const 2)) (i32.const 25) (i32.const 2))
    ;; 3: a path longer than 4096 bytes: ENAMETOOLONG
    (call $expect (call $open (i32.const 0) (i32.const 5000)) (i32.const 37) (i32.const 3))
    ;; 4: no such descriptor: EBADF
    (call $expect
      (call $path_open (i32.const 99) (i32.const 0) (i32.const 48) (i32.const 1)
        (i32.const 0) (i64.const 2) (i64.const 0) (i32.const 0) (i32.const 1000))
      (i32.const 8) (i32.const 4))
    ;; 5: a buffer too small for "/data": ENAMETOOLONG
    (call $expect (call $prestat_dir_name (i32.const 3) (i32.const 1100) (i32.const 2))
      (i32.const 37) (i32.const 5))
    ;; 6: fd 4 is no preopen (the guest's scan ends there): EBADF
    (call $expect (call $prestat_get (i32.const 4) (i32.const 1100)) (i32.const 8) (i32.const 6))
    ;; 7: seeking a directory: EISDIR; seeking stdout: ESPIPE
    (call $expect (call $fd_seek (i32.const 3) (i64.const 0) (i32.const 0) (i32.const 1100))
      (i32.const 31) (i32.const 7))
    (call $expect (call $fd_seek (i32.const 1) (i64.const 0) (i32.const 0) (i32.const 1100))
      (i32.const 70) (i32.const 8))
    ;; 9: a file opened to read: a negative offset or an unknown whence is EINVAL,
    ;; writing it EBADF
    (call $expect (call $open (i32.const 48) (i32.const 1)) (i32.const 0) (i32.const 9))
    (local.set $fd (i32.load (i32.const 1000)))
    (call $expect (call $fd_seek (local.get $fd) (i64.const -1) (i32.const 0) (i32.const 1100))
      (i32.const 28) (i32.const 10))
    (call $expect (call $fd_seek (local.get $fd) (i64.const 0) (i32.const 9) (i32.const 1100))
      (i32.const 28) (i32.const 11))
    (call $expect
      (call $fd_write (local.get $fd) (i32.const 200) (i32.const 1) (i32.const 1100))
      (i32.const 8) (i32.const 12))
    ;; 13: readdir: a negative cookie is EINVAL; a buffer of 0 bytes gets nothing
    (call $expect
      (call $fd_readdir (i32.const 3) (i32.const 2000) (i32.const 64) (i64.const -1)
        (i32.const 1100))
      (i32.const 28) (i32.const 13))
    (call $expect
      (call $fd_readdir (i32.const 3) (i32.const 2000) (i32.const 0) (i64.const 0)
        (i32.const 1100))
      (i32.const 0) (i32.const 14))
    (call $expect (i32.load (i32.const 1100)) (i32.const 0) (i32.const 15))
    ;; 16: a file as a directory: ENOTDIR
    (call $expect (call $open (i32.const 64) (i32.const 3)) (i32.const 54) (i32.const 16))
    ;; 17: renaming to a descriptor that is no directory: ENOTDIR
    (call $expect
      (call $path_rename (i32.const 3) (i32.const 48) (i32.const 1)
        (i32.const 1) (i32.const 96) (i32.const 1))
      (i32.const 54) (i32.const 17))
    ;; 18: links: ENOTSUP
    (call $expect
      (call $path_symlink (i32.const 48) (i32.const 1) (i32.const 3) (i32.const 96) (i32.const 1))
      (i32.const 58) (i32.const 18))
    ;; 19: making what exists: EEXIST
    (call $expect (call $mkdir (i32.const 3) (i32.const 80) (i32.const 1)) (i32.const 20)
      (i32.const 19))
    ;; 20: closing twice: EBADF the second time
    (call $expect (call $fd_close (local.get $fd)) (i32.const 0) (i32.const 20))
    (call $expect (call $fd_close (local.get $fd)) (i32.const 8) (i32.const 21))
    ;; A path beyond the guest's memory: the guest traps, the host goes on.
    (drop (call $open (i32.const 65530) (i32.const 100)))
    (call $proc_exit (i32.const 99))))
