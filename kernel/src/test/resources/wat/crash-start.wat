;; A service that traps as soon as it starts, before it exports test.v1.Echo: it crashes on every
;; start, so a restart policy can only give up on it.
(module
  (memory 1)
  (func (export "_start") unreachable))
