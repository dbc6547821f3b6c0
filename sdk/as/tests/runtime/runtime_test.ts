// runtime_test: the AssemblyScript runtime's scenarios, those of the C runtime's tests that
// apply, checked against rt_server.ts and the kernel's clock, and reported to `parigot test`.
import { Future, Tick, defaultLoop, exit, send, strerror, text, utf8 } from "parigot";
import * as abi from "parigot/abi";
import { begin, check, end, exitCode, expectEqI64, expectEqStr } from "parigot/test";
import { Msg, RtClient, Rt_Stream_decode_partial } from "pg/rt";

const loop = defaultLoop();
const rt = new RtClient();

function msg(t: string, n: i32): Msg {
  const m = new Msg();
  m.text = t;
  m.n = n;
  return m;
}

class Count {
  n: i32 = 0;
  last: string = "";
}

function countDone(f: Future, c: Count): void {
  c.n++;
  c.last = f.status == 0 ? "ok" : strerror(f.status);
}

function countPartial(f: Future, p: Uint8Array, c: Count): void {
  const m = new Msg();
  if (Rt_Stream_decode_partial(p, m) == 0) c.last += m.text;
  c.n++;
}

function countTick(timer: Future, tick: Tick, c: Count): void {
  c.n++;
  c.last += tick.seq.toString();
}

class Worker {
  messages: Array<string> = new Array<string>();
  exits: i32 = 0;
  code: i32 = -1;
}

function onWorkerMessage(link: i32, m: Uint8Array, w: Worker): void {
  w.messages.push(text(m));
}

function onWorkerExit(link: i32, code: i32, w: Worker): void {
  w.exits++;
  w.code = code;
}

/** A worker: sends its argument back twice, uppercased once, and returns (exit code 0). */
export function echo_worker(): void {
  const l = defaultLoop();
  const arg = l.workerArg();
  if (arg == null) return;
  const s = text(arg);
  send(l.parentLink, utf8(s));
  send(l.parentLink, utf8(s.toUpperCase()));
}

export function _start(): void {
  begin("the test service is reachable");
  expectEqI64(rt.connect(), 0, "connect");
  end();

  begin("a call's reply decodes into the reply type");
  let f = rt.Echo(loop, msg("héllo", 7));
  expectEqI64(loop.await(f), 0, "Echo");
  let m = new Msg();
  expectEqI64(f.decode(m), 0, "decode");
  expectEqStr(m.text, "héllo", "text");
  expectEqI64(m.n, 7, "n");
  end();

  begin("a reply given later, from a sleep's callback, arrives");
  f = rt.Later(loop, msg("", 30));
  const c = new Count();
  f.onDone<Count>(countDone, c);
  expectEqI64(loop.await(f), 0, "Later");
  m = new Msg();
  f.decode(m);
  expectEqStr(m.text, "later", "text");
  expectEqI64(c.n, 1, "done callbacks run");
  end();

  begin("a stream's partials are kept in order, then its end arrives");
  f = rt.Stream(loop, msg("end", 3));
  expectEqI64(loop.await(f), 0, "Stream");
  expectEqI64(f.partials.length, 3, "partials kept");
  let joined = "";
  for (let i = 0; i < f.partials.length; i++) {
    const p = new Msg();
    Rt_Stream_decode_partial(f.partials[i], p);
    joined += p.text;
  }
  expectEqStr(joined, "012", "partials in order");
  m = new Msg();
  f.decode(m);
  expectEqStr(m.text, "end", "the end");
  end();

  begin("onPartial takes the partials as they arrive");
  f = rt.Stream(loop, msg("end", 4));
  const parts = new Count();
  f.onPartial<Count>(countPartial, parts);
  loop.await(f);
  expectEqI64(parts.n, 4, "callbacks");
  expectEqStr(parts.last, "0123", "in order");
  expectEqI64(f.partials.length, 0, "none kept");
  end();

  begin("an application error has the service's code and message, apart from kernel errors");
  f = rt.Fail(loop, msg("no such thing", 42));
  expectEqI64(loop.await(f), 42, "status");
  expectEqStr(f.text(), "no such thing", "message");
  expectEqStr(strerror(f.status), "application error 42", "strerror");
  const bad = loop.call(12345, 1, new Uint8Array(0), -1);
  check(bad.done && bad.status < 0, "a bad handle is a kernel error: " + strerror(bad.status));
  expectEqI64(bad.status, -abi.E_BAD_HANDLE, "status");
  end();

  begin("a call past its deadline times out");
  f = rt.Hang(loop, msg("", 0), 50);
  expectEqI64(loop.await(f), -abi.E_TIMED_OUT, "status");
  end();

  begin("cancelling a call completes it at once, and the server is told");
  f = rt.Hang(loop, msg("", 0));
  const cancelled = new Count();
  f.onDone<Count>(countDone, cancelled);
  // Let the call reach the server before cancelling it.
  loop.await(loop.sleep(20));
  expectEqI64(f.cancel(), 0, "cancel");
  expectEqI64(f.status, -abi.E_CANCELLED, "status");
  expectEqStr(cancelled.last, "cancelled", "the done callback saw it");
  expectEqI64(f.cancel(), -abi.E_BAD_HANDLE, "a second cancel");
  let ended = 0;
  for (let i = 0; i < 50 && ended == 0; i++) {
    loop.await(loop.sleep(10));
    const how = rt.HowHangEnded(loop, new Msg());
    loop.await(how);
    const r = new Msg();
    how.decode(r);
    ended = r.n;
  }
  expectEqI64(ended, -abi.E_CANCELLED, "the server's cancel callback");
  end();

  begin("awaitAny returns the first done, awaitAll waits for every one");
  const slow = rt.Later(loop, msg("", 200));
  const fast = rt.Echo(loop, msg("fast", 0));
  expectEqI64(loop.awaitAny([slow, fast]), 1, "index of the fast one");
  expectEqI64(loop.awaitAll([slow, fast]), 0, "all");
  check(slow.done, "the slow one is done");
  end();

  begin("a timer ticks count times, then completes");
  const ticks = new Count();
  const timer = loop.timer<Count>(10, 3, countTick, ticks);
  expectEqI64(loop.await(timer), 0, "timer");
  expectEqI64(ticks.n, 3, "ticks");
  expectEqStr(ticks.last, "123", "sequence numbers");
  end();

  begin("a cancelled timer stops");
  const stopped = new Count();
  const endless = loop.timer<Count>(10, 0, countTick, stopped);
  loop.await(loop.sleep(35));
  expectEqI64(endless.cancel(), 0, "cancel");
  const seen = stopped.n;
  loop.await(loop.sleep(40));
  expectEqI64(stopped.n, seen, "no tick after the cancel");
  check(seen >= 1, "it ticked before: " + seen.toString());
  end();

  begin("the clocks read, and monotonic time moves forward");
  const t1 = loop.now();
  loop.await(loop.sleep(5));
  const t2 = loop.now();
  check(t1 != null && t2 != null, "now");
  if (t1 != null && t2 != null) {
    const a = t1!;
    const b = t2!;
    check(a[0] > 1600000000000000000, "wall time after 2020: " + a[0].toString());
    check(b[1] > a[1], "monotonic time moved");
  }
  end();

  begin("a worker runs an exported function, talks back, and its exit is reported");
  const w = new Worker();
  const link = loop.spawn<Worker>("echo_worker", utf8("ping"), onWorkerMessage, onWorkerExit, w);
  check(link > 0, "spawn: " + link.toString());
  for (let i = 0; i < 500 && w.exits == 0; i++) loop.runOnce(-1);
  expectEqI64(w.messages.length, 2, "messages");
  if (w.messages.length == 2) {
    expectEqStr(w.messages[0], "ping", "first");
    expectEqStr(w.messages[1], "PING", "second");
  }
  expectEqI64(w.exits, 1, "exit callbacks");
  expectEqI64(w.code, 0, "exit code");
  expectEqI64(loop.spawn<Worker>("not_exported", new Uint8Array(0), null, null, w), -abi.E_NO_SUCH_SERVICE, "an unknown entry");
  end();

  exit(exitCode());
}
