// The AssemblyScript runtime of the Parigot SDK: the same model as the C runtime (sdk/c/include/
// parigot.h), in AssemblyScript's terms. One event loop owns the only blocking call, parigot_wait,
// and routes each event to whoever waits for it:
//
//   - calls you make return a Future; its result arrives later, and you either loop.await(f) (the
//     loop runs, serving incoming calls meanwhile) or register a callback with f.onDone;
//   - calls you serve arrive at the Handler you gave loop.serve, as a Call you answer now or later;
//   - workers you start with loop.spawn talk back through callbacks.
//
// AssemblyScript has no closures and no async functions: a callback is a plain function plus a
// context value of any type (fn(f, ctx)), and awaiting runs the loop nested until the future is
// done, as pg_await does in C. Callbacks run only from inside run, runOnce or an await.
//
// Statuses: 0 success; < 0 a kernel errno (-E_...) or an SDK error (E_DECODE, E_NOT_DONE);
// > 0 an application code chosen by the service that failed the call. strerror names any of them.
import * as abi from "./abi";
import { E_DECODE, E_NOT_DONE, OK, Reader, Writer, varintSize } from "./wire";

/** The application code the runtime fails an incoming call with when no handler can take it. */
export const CODE_UNAVAILABLE: i32 = i32.MAX_VALUE;
/** Application codes for malformed requests and unknown methods, as the C SDK uses them. */
export const STATUS_INVALID_ARGUMENT: i32 = 3;
export const STATUS_RESOURCE_EXHAUSTED: i32 = 8;
export const STATUS_UNIMPLEMENTED: i32 = 12;

const EVENTS: i32 = 64;
const INITIAL_BUF: i32 = 4096;

// ---- bytes and text ----

/** The UTF-8 bytes of a string. */
export function utf8(s: string): Uint8Array {
  return Uint8Array.wrap(String.UTF8.encode(s));
}

/** Bytes as UTF-8 text (invalid sequences become U+FFFD). */
export function text(b: Uint8Array): string {
  return String.UTF8.decodeUnsafe(b.dataStart, <usize>b.length);
}

/** What a status means, as a short lowercase phrase, as the C SDK's pg_strerror says it. */
export function strerror(status: i32): string {
  if (status > 0) {
    if (status == CODE_UNAVAILABLE) return "the service could not take the call";
    return "application error " + status.toString();
  }
  switch (status) {
    case OK: return "ok";
    case -abi.E_NOT_PERMITTED: return "not permitted";
    case -abi.E_NO_SUCH_SERVICE: return "no such service";
    case -abi.E_TIMED_OUT: return "timed out";
    case -abi.E_CANCELLED: return "cancelled";
    case -abi.E_PROVIDER_DIED: return "provider died";
    case -abi.E_MESSAGE_TOO_BIG: return "message too big";
    case -abi.E_WOULD_EXCEED_LIMIT: return "would exceed a limit";
    case -abi.E_BAD_ARGUMENT: return "bad argument";
    case -abi.E_BAD_HANDLE: return "bad handle";
    case -abi.E_BUFFER_TOO_SMALL: return "buffer too small";
    case -abi.E_ALREADY_EXPORTED: return "already exported";
    case -abi.E_SHUTTING_DOWN: return "shutting down";
    case E_DECODE: return "malformed message";
    case E_NOT_DONE: return "not done yet";
    default: return "unknown error " + status.toString();
  }
}

// ---- stderr, logging and exit ----

@external("wasi_snapshot_preview1", "fd_write")
declare function fd_write(fd: i32, iovs: usize, iovs_len: i32, nwritten: usize): i32;

/** Writes bytes to a file descriptor (1 stdout, 2 stderr), all of them unless it fails. */
export function write(fd: i32, b: Uint8Array): bool {
  const iov = new StaticArray<u32>(3);
  let off = 0;
  while (off < b.length) {
    iov[0] = <u32>(b.dataStart + <usize>off);
    iov[1] = <u32>(b.length - off);
    if (fd_write(fd, changetype<usize>(iov), 1, changetype<usize>(iov) + 8) != 0) return false;
    if (iov[2] == 0) return false;
    off += <i32>iov[2];
  }
  return true;
}

/** Prints a line to stdout. */
export function println(s: string): bool {
  return write(1, utf8(s + "\n"));
}

export const LOG_DEBUG: i32 = 0;
export const LOG_INFO: i32 = 1;
export const LOG_WARN: i32 = 2;
export const LOG_ERROR: i32 = 3;
let logThreshold: i32 = LOG_INFO;

export function setLogThreshold(level: i32): void {
  logThreshold = level;
}

/** Logs "level: message" to stderr, which the kernel tags with the process. */
export function log(level: i32, message: string): void {
  if (level < logThreshold) return;
  const name = level <= LOG_DEBUG ? "debug" : level == LOG_INFO ? "info" : level == LOG_WARN ? "warn" : "error";
  write(2, utf8(name + ": " + message + "\n"));
}

/** Ends the process with an exit code. */
export function exit(code: i32): void {
  abi.parigot_exit(code);
}

/**
 * What AssemblyScript calls on abort (a failed assert, an index out of range, a null where none
 * may be): parigot-asc passes --use abort=~lib/parigot/runtime/abortProcess. It says where on
 * stderr and exits 70, so a crash is told apart from an exit the program chose.
 */
let aborting: bool = false;

export function abortProcess(message: string | null, file: string | null, line: u32, column: u32): void {
  // An abort while reporting one (out of memory, say) must not recurse.
  if (aborting) abi.parigot_exit(70);
  aborting = true;
  const m: string = message != null ? message : "abort";
  const f: string = file != null ? file : "?";
  write(2, utf8("abort: " + m + " at " + f + ":" + line.toString() + ":" + column.toString() + "\n"));
  abi.parigot_exit(70);
}

// ---- callbacks: a function and its context ----

abstract class DoneHook {
  abstract run(f: Future): void;
}

class DoneFn<C> extends DoneHook {
  constructor(public fn: (f: Future, ctx: C) => void, public ctx: C) {
    super();
  }
  run(f: Future): void {
    const fn = this.fn;
    fn(f, this.ctx);
  }
}

abstract class PartialHook {
  abstract run(f: Future, partial: Uint8Array): void;
}

class PartialFn<C> extends PartialHook {
  constructor(public fn: (f: Future, partial: Uint8Array, ctx: C) => void, public ctx: C) {
    super();
  }
  run(f: Future, partial: Uint8Array): void {
    const fn = this.fn;
    fn(f, partial, this.ctx);
  }
}

abstract class CancelHook {
  abstract run(c: Call, why: i32): void;
}

class CancelFn<C> extends CancelHook {
  constructor(public fn: (c: Call, why: i32, ctx: C) => void, public ctx: C) {
    super();
  }
  run(c: Call, why: i32): void {
    const fn = this.fn;
    fn(c, why, this.ctx);
  }
}

abstract class LinkHook {
  abstract message(link: i32, msg: Uint8Array): void;
  abstract exit(link: i32, code: i32): void;
}

class LinkFns<C> extends LinkHook {
  constructor(
    public onMessage: ((link: i32, msg: Uint8Array, ctx: C) => void) | null,
    public onExit: ((link: i32, code: i32, ctx: C) => void) | null,
    public ctx: C,
  ) {
    super();
  }
  message(link: i32, msg: Uint8Array): void {
    if (this.onMessage != null) {
      const fn = this.onMessage!;
      fn(link, msg, this.ctx);
    }
  }
  exit(link: i32, code: i32): void {
    if (this.onExit != null) {
      const fn = this.onExit!;
      fn(link, code, this.ctx);
    }
  }
}

// ---- futures ----

/**
 * A call in flight, a sleep or a timer. Once done, status is 0, a negative kernel or SDK error,
 * or the service's positive application code; data is the END payload or the error message.
 * Partial results are kept in partials, in arrival order, unless onPartial took them.
 */
export class Future {
  done: bool = false;
  status: i32 = E_NOT_DONE;
  data: Uint8Array = new Uint8Array(0);
  partials: Array<Uint8Array> = new Array<Uint8Array>();
  /** The kernel channel while pending (0 when there is none). */
  handle: i32 = 0;
  private onDoneHook: DoneHook | null = null;
  onPartialHook: PartialHook | null = null;

  constructor(public loop: Loop) {}

  /** The error message of a failed call, or the END payload, as text. */
  text(): string {
    return text(this.data);
  }

  /**
   * Decodes the END payload into out (a generated message). Returns 0; E_NOT_DONE while pending;
   * the status if the call failed; or E_DECODE. Generated code calls it as f.decode(new T()).
   */
  decode<T>(out: T): i32 {
    if (!this.done) return E_NOT_DONE;
    if (this.status != OK) return this.status;
    return out.decode(this.data);
  }

  /** Runs fn(f, ctx) when the future completes; at once if it is done. One per future. */
  onDone<C>(fn: (f: Future, ctx: C) => void, ctx: C): void {
    this.onDoneHook = new DoneFn<C>(fn, ctx);
    if (this.done) this.fireDone();
  }

  /** Routes later partial results to fn as they arrive instead of keeping them. */
  onPartial<C>(fn: (f: Future, partial: Uint8Array, ctx: C) => void, ctx: C): void {
    this.onPartialHook = new PartialFn<C>(fn, ctx);
  }

  /**
   * Cancels a pending call: the provider is told, and the future completes at once with
   * -E_CANCELLED, running its done callback. Returns 0, or -E_BAD_HANDLE if it was already done.
   */
  cancel(): i32 {
    if (this.done) return -abi.E_BAD_HANDLE;
    if (this.handle > 0) {
      abi.parigot_cancel(this.handle);
      this.loop.channels.delete(this.handle);
      this.handle = 0;
    }
    this.complete(-abi.E_CANCELLED, new Uint8Array(0));
    return OK;
  }

  complete(status: i32, data: Uint8Array): void {
    if (this.done) return;
    this.done = true;
    this.status = status;
    this.data = data;
    this.fireDone();
  }

  partial(p: Uint8Array): void {
    if (this.onPartialHook != null) {
      this.onPartialHook!.run(this, p);
    } else {
      this.partials.push(p);
    }
  }

  private fireDone(): void {
    const hook = this.onDoneHook;
    if (hook != null) {
      this.onDoneHook = null;
      hook.run(this);
    }
  }
}

// ---- serving ----

/** Handles the calls to one exported service; generated servers extend it. */
export abstract class Handler {
  /** One incoming call: answer it now or later through call. */
  abstract handle(call: Call, method: i32, request: Uint8Array): void;
}

/**
 * An incoming call, answered once with end or fail (after any number of partials) or cancelled
 * by the caller. After that, answers return -E_BAD_HANDLE.
 */
export class Call {
  answered: bool = false;
  private onCancelHook: CancelHook | null = null;

  constructor(public loop: Loop, public id: i32, public method: i32, public request: Uint8Array) {}

  /** Sends a partial result; the call stays open. 0 or -errno (-E_CANCELLED, ...). */
  partial(data: Uint8Array): i32 {
    if (this.answered) return -abi.E_BAD_HANDLE;
    return this.finished(abi.parigot_reply(this.id, abi.REPLY_PARTIAL, data.dataStart, data.length), false);
  }

  /** Sends the last result and ends the call. */
  end(data: Uint8Array): i32 {
    if (this.answered) return -abi.E_BAD_HANDLE;
    return this.finished(abi.parigot_reply(this.id, abi.REPLY_END, data.dataStart, data.length), true);
  }

  /** Ends the call with an application error: code > 0 (else -E_BAD_ARGUMENT) and a message. */
  fail(code: i32, message: string): i32 {
    if (this.answered) return -abi.E_BAD_HANDLE;
    if (code <= 0) return -abi.E_BAD_ARGUMENT;
    const m = utf8(message);
    return this.finished(abi.parigot_fail(this.id, code, m.dataStart, m.length), true);
  }

  /** Runs fn(call, why, ctx) if the call ends before it is answered. */
  onCancel<C>(fn: (c: Call, why: i32, ctx: C) => void, ctx: C): void {
    this.onCancelHook = new CancelFn<C>(fn, ctx);
  }

  cancelled(why: i32): void {
    this.answered = true;
    this.loop.calls.delete(this.id);
    const hook = this.onCancelHook;
    this.onCancelHook = null;
    if (hook != null) hook.run(this, why);
  }

  private finished(rc: i32, last: bool): i32 {
    // A message too big leaves the call open; anything else that failed ended it.
    if ((rc == OK && last) || (rc < 0 && rc != -abi.E_MESSAGE_TOO_BIG)) {
      this.answered = true;
      this.loop.calls.delete(this.id);
    }
    return rc;
  }
}

// ---- time: parigot.clock.v1.Clock ----

/** The clock service: programs that sleep or use timers require it in their manifest. */
export const CLOCK_SERVICE = "parigot.clock.v1.Clock";
const CLOCK_NOW: i32 = 1;
const CLOCK_SLEEP: i32 = 2;
const CLOCK_TIMER: i32 = 4;

/** One tick of a timer. */
export class Tick {
  seq: i64 = 0;
  monotonicNanos: i64 = 0;
  unixNanos: i64 = 0;
}

class TickFn<C> extends PartialHook {
  constructor(public fn: (timer: Future, tick: Tick, ctx: C) => void, public ctx: C) {
    super();
  }
  run(f: Future, partial: Uint8Array): void {
    const v = int64Fields(partial, 3);
    if (v == null) {
      log(LOG_WARN, "parigot: a malformed tick from the clock");
      return;
    }
    const tick = new Tick();
    tick.seq = v[0];
    tick.monotonicNanos = v[1];
    tick.unixNanos = v[2];
    const fn = this.fn;
    fn(f, tick, this.ctx);
  }
}

/** Encodes int64 fields 1..n of a clock request (zeros omitted, as proto3 does). */
function int64Message(values: Array<i64>): Uint8Array {
  let size = 0;
  for (let i = 0; i < values.length; i++) {
    if (values[i] != 0) size += 1 + varintSize(<u64>values[i]);
  }
  const w = new Writer(size);
  for (let i = 0; i < values.length; i++) {
    if (values[i] != 0) {
      w.tag(i + 1, 0);
      w.varint(<u64>values[i]);
    }
  }
  return w.buf;
}

/** Decodes int64 fields 1..n of a clock reply, or null if malformed. */
function int64Fields(b: Uint8Array, n: i32): Array<i64> | null {
  const out = new Array<i64>(n);
  const r = new Reader(b);
  while (!r.done()) {
    const t = r.tag();
    const field = <i32>(t >>> 3);
    if (field >= 1 && field <= n && r.expect(t & 7, 0)) {
      out[field - 1] = <i64>r.varint();
    } else {
      r.skip(t & 7);
    }
  }
  return r.err == OK ? out : null;
}

// ---- the loop ----

/** The process's event loop: defaultLoop(). */
export class Loop {
  channels: Map<i32, Future> = new Map<i32, Future>();
  calls: Map<i32, Call> = new Map<i32, Call>();
  services: Map<i32, Handler> = new Map<i32, Handler>();
  workers: Map<i32, LinkHook> = new Map<i32, LinkHook>();
  private events: Uint8Array = new Uint8Array(EVENTS * abi.EVENT_SIZE);
  private buf: Uint8Array = new Uint8Array(INITIAL_BUF);
  private n: i32 = 0;
  private next: i32 = 0;
  private stopping: bool = false;
  private dispatched: bool = false;
  private clock: i32 = 0;
  /** In a worker: the link to the parent, once the spawn argument arrived. */
  parentLink: i32 = 0;
  private spawnArg: Uint8Array | null = null;
  private parentHook: LinkHook | null = null;

  // -- calling --

  /**
   * Calls a method of a located service with a request. timeoutMs: -1 the manifest's
   * call_timeout_ms, 0 none, > 0 milliseconds. Never null: an error detected at once completes
   * the future at once with that status.
   */
  call(service: i32, method: i32, request: Uint8Array, timeoutMs: i64): Future {
    const f = new Future(this);
    const h = abi.parigot_call(service, method, request.dataStart, request.length, timeoutMs);
    if (h < 0) {
      f.complete(h, new Uint8Array(0));
    } else {
      f.handle = h;
      this.channels.set(h, f);
    }
    return f;
  }

  /** A future already failed with status. */
  failed(status: i32): Future {
    const f = new Future(this);
    f.complete(status, new Uint8Array(0));
    return f;
  }

  // -- serving --

  /** Exports a name the manifest lists under exports and routes its calls to h. */
  serve(name: string, h: Handler): i32 {
    const b = utf8(name);
    const handle = abi.parigot_export(b.dataStart, b.length);
    if (handle < 0) return handle;
    this.services.set(handle, h);
    return OK;
  }

  // -- workers --

  /**
   * Starts a worker running the exported function entry (export function entry(): void; the new
   * instance runs the module's top-level initializer first, not _start) with arg
   * as its first message. Returns the link (> 0) or a negative status. Messages from it go to
   * onMessage and its end to onExit (either may be null), with ctx.
   */
  spawn<C>(
    entry: string,
    arg: Uint8Array,
    onMessage: ((link: i32, msg: Uint8Array, ctx: C) => void) | null,
    onExit: ((link: i32, code: i32, ctx: C) => void) | null,
    ctx: C,
  ): i32 {
    const e = utf8(entry);
    const link = abi.parigot_spawn(e.dataStart, e.length, arg.dataStart, arg.length);
    if (link > 0) this.workers.set(link, new LinkFns<C>(onMessage, onExit, ctx));
    return link;
  }

  /** Kills a worker this process started; no exit callback follows. */
  stopWorker(link: i32): i32 {
    if (!this.workers.has(link)) return -abi.E_BAD_HANDLE;
    this.workers.delete(link);
    return abi.parigot_cancel(link);
  }

  /**
   * In a worker: runs the loop until the spawn argument arrives and returns it (the link to the
   * parent is then parentLink). Null if waiting failed.
   */
  workerArg(): Uint8Array | null {
    while (this.parentLink == 0) {
      if (this.step(abi.TIMEOUT_DEFAULT) < 0) return null;
    }
    return this.spawnArg;
  }

  /** In a worker: routes the parent's later messages to fn. */
  onParentMessage<C>(fn: (link: i32, msg: Uint8Array, ctx: C) => void, ctx: C): void {
    this.parentHook = new LinkFns<C>(fn, null, ctx);
  }

  // -- time --

  private clockCall(method: i32, fields: Array<i64>): Future {
    if (this.clock <= 0) {
      const b = utf8(CLOCK_SERVICE);
      const h = abi.parigot_locate(b.dataStart, b.length);
      if (h < 0) return this.failed(h);
      this.clock = h;
    }
    // No deadline: the clock ends the call itself.
    return this.call(this.clock, method, int64Message(fields), abi.TIMEOUT_NONE);
  }

  /** A future that completes with 0 once millis milliseconds have passed. */
  sleep(millis: i64): Future {
    return this.clockCall(CLOCK_SLEEP, [millis]);
  }

  /**
   * A timer: fn(timer, tick, ctx) runs every periodMs milliseconds until count ticks (0: until
   * cancelled). The returned future completes after the last tick or when cancelled.
   */
  timer<C>(periodMs: i64, count: i64, fn: (timer: Future, tick: Tick, ctx: C) => void, ctx: C): Future {
    const f = this.clockCall(CLOCK_TIMER, [periodMs, count]);
    f.onPartialHook = new TickFn<C>(fn, ctx);
    return f;
  }

  /** The kernel's wall and monotonic clocks in nanoseconds ([unix, monotonic]), or null. */
  now(): Array<i64> | null {
    const f = this.clockCall(CLOCK_NOW, []);
    if (this.await(f) != OK) return null;
    return int64Fields(f.data, 2);
  }

  // -- running --

  /** Serves until stop() is called; returns 0 then, or a negative status if waiting failed. */
  run(): i32 {
    while (!this.stopping) {
      const rc = this.step(abi.TIMEOUT_DEFAULT);
      if (rc < 0) return rc;
    }
    this.stopping = false;
    return OK;
  }

  /** Makes run return after the event being dispatched. */
  stop(): void {
    this.stopping = true;
  }

  /** Dispatches the events of one wait (timeoutMs -1 forever, 0 poll); returns how many. */
  runOnce(timeoutMs: i64): i32 {
    if (this.next >= this.n) {
      const n = this.fill(timeoutMs);
      if (n <= 0) return n;
    }
    let done = 0;
    while (this.next < this.n) {
      this.dispatchNext();
      done++;
    }
    return done;
  }

  /** Runs the loop until f is done and returns its status (or a negative status from waiting). */
  await(f: Future): i32 {
    let rc = 0;
    while (!f.done && rc >= 0) rc = this.step(abi.TIMEOUT_DEFAULT);
    return f.done ? f.status : rc;
  }

  /** Runs the loop until every future is done: 0, or the first failure in array order. */
  awaitAll(fs: Array<Future>): i32 {
    for (let i = 0; i < fs.length; i++) {
      const rc = this.await(fs[i]);
      if (rc < 0 && !fs[i].done) return rc;
    }
    for (let i = 0; i < fs.length; i++) {
      if (fs[i].status != OK) return fs[i].status;
    }
    return OK;
  }

  /** Runs the loop until one future is done; returns the lowest index of a done one, or < 0. */
  awaitAny(fs: Array<Future>): i32 {
    if (fs.length == 0) return -abi.E_BAD_ARGUMENT;
    let rc = 0;
    while (rc >= 0) {
      for (let i = 0; i < fs.length; i++) {
        if (fs[i].done) return i;
      }
      rc = this.step(abi.TIMEOUT_DEFAULT);
    }
    return rc;
  }

  private step(timeoutMs: i64): i32 {
    if (this.next >= this.n) {
      const n = this.fill(timeoutMs);
      if (n <= 0) return n;
    }
    this.dispatchNext();
    return 1;
  }

  private fill(timeoutMs: i64): i32 {
    let n = abi.parigot_wait(this.events.dataStart, EVENTS, this.buf.dataStart, this.buf.length, timeoutMs);
    while (n == -abi.E_BUFFER_TOO_SMALL) {
      // Nothing was consumed: grow, at least double, and wait again.
      const need = <i32>load<u32>(this.events.dataStart + <usize>abi.EVENT_PAYLOAD_LEN);
      if (need <= this.buf.length) return n;
      this.buf = new Uint8Array(max(need, this.buf.length * 2));
      n = abi.parigot_wait(this.events.dataStart, EVENTS, this.buf.dataStart, this.buf.length, timeoutMs);
    }
    if (n >= 0) {
      this.n = n;
      this.next = 0;
    }
    return n;
  }

  private dispatchNext(): void {
    // Copied out first: a nested wait inside the dispatch refills the records and the buffer.
    const e = this.events.dataStart + <usize>(this.next * abi.EVENT_SIZE);
    this.next++;
    const kind = load<u32>(e + <usize>abi.EVENT_KIND);
    const handle = load<i32>(e + <usize>abi.EVENT_HANDLE);
    const code = load<i32>(e + <usize>abi.EVENT_CODE);
    const service = load<i32>(e + <usize>abi.EVENT_SERVICE);
    const off = <i32>load<u32>(e + <usize>abi.EVENT_PAYLOAD_OFFSET);
    const len = <i32>load<u32>(e + <usize>abi.EVENT_PAYLOAD_LEN);
    const payload = this.buf.slice(off, off + len);
    const first = !this.dispatched;
    this.dispatched = true;
    if (kind == abi.EVENT_PARTIAL) {
      if (this.channels.has(handle)) this.channels.get(handle).partial(payload);
    } else if (kind == abi.EVENT_END || kind == abi.EVENT_ERROR) {
      if (this.channels.has(handle)) {
        const f = this.channels.get(handle);
        this.channels.delete(handle);
        f.handle = 0;
        f.complete(kind == abi.EVENT_END ? OK : code, payload);
      }
    } else if (kind == abi.EVENT_CALL) {
      this.onCall(handle, code, service, payload);
    } else if (kind == abi.EVENT_CANCEL) {
      if (this.calls.has(handle)) this.calls.get(handle).cancelled(code);
    } else if (kind == abi.EVENT_MESSAGE) {
      this.onMessage(handle, payload, first);
    } else if (kind == abi.EVENT_EXIT) {
      if (this.workers.has(handle)) {
        const w = this.workers.get(handle);
        this.workers.delete(handle);
        w.exit(handle, code);
      }
    } else {
      log(LOG_WARN, "parigot: ignoring an event of unknown kind " + kind.toString());
    }
  }

  private onCall(id: i32, method: i32, service: i32, request: Uint8Array): void {
    if (!this.services.has(service)) {
      const m = utf8("no handler for this service");
      abi.parigot_fail(id, CODE_UNAVAILABLE, m.dataStart, m.length);
      return;
    }
    const call = new Call(this, id, method, request);
    this.calls.set(id, call);
    this.services.get(service).handle(call, method, request);
  }

  private onMessage(link: i32, msg: Uint8Array, first: bool): void {
    if (this.workers.has(link)) {
      this.workers.get(link).message(link, msg);
    } else if (this.parentLink == 0 && first) {
      this.parentLink = link;
      this.spawnArg = msg;
    } else if (link == this.parentLink && this.parentHook != null) {
      this.parentHook!.message(link, msg);
    } else {
      log(LOG_WARN, "parigot: dropping a message on link " + link.toString() + " that nothing reads");
    }
  }
}

let theLoop: Loop | null = null;

/** The process's loop, made on first use. */
export function defaultLoop(): Loop {
  if (theLoop == null) theLoop = new Loop();
  return theLoop!;
}

/** Looks up a service the manifest lists under requires: its handle (> 0) or -errno. */
export function locate(name: string): i32 {
  const b = utf8(name);
  return abi.parigot_locate(b.dataStart, b.length);
}

/** Sends a message over a worker link (either side). 0 or -errno. */
export function send(link: i32, msg: Uint8Array): i32 {
  return abi.parigot_send(link, msg.dataStart, msg.length);
}
