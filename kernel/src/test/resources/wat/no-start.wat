;; Loads, but cannot run as a program: it has no _start.
(module (memory 1) (func (export "work")))
