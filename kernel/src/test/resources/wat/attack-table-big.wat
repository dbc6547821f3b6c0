;; attack-table-big: a table of 400,000 entries (4.8 MB of heap) at start, under the
;; 1,000,000 entries a process may have; a program whose memory budget cannot hold it
;; must not start. If it does start, it exits 0.
(module
  (import "parigot" "exit" (func $exit (param i32)))
  (memory 1)
  (table 400000 funcref)
  (func (export "_start")
    (call $exit (i32.const 0))))
