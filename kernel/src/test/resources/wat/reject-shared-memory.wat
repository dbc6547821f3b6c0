;; Refused by the loader: a shared memory (built with --enable-threads).
(module (memory 1 1 shared) (func (export "_start")))
