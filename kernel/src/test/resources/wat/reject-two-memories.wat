;; Refused by the loader: declares two memories (built with --enable-multi-memory).
(module (memory 1) (memory 1) (func (export "_start")))
