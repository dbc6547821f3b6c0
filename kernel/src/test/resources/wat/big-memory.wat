;; Loads, but asks for 32 pages (2 MiB) at start: more than a 1 MiB memory_mib allows.
(module (memory 32) (func (export "_start")))
