// counter_test: checks counter.v1.Counter (counter.ts) end to end, through the kernel's
// key-value store, and reports to parigot.test.v1.Test: an AssemblyScript test program run by
// `parigot test`. Each case resets the counters it uses first, so it passes however often it
// runs against the same data directory.
import { Future, defaultLoop, exit, strerror } from "parigot";
import * as abi from "parigot/abi";
import { begin, check, end, exitCode, expectEqI64, expectEqStr } from "parigot/test";
import { CounterClient, CounterError, IncrementRequest, Name, Value } from "pg/counter";
import { KVClient } from "pg/parigot/kv/v1/kv";

// Increments started at once in the concurrency case.
const CONCURRENT: i32 = 16;

const loop = defaultLoop();
const counter = new CounterClient();

function reset(name: string): void {
  const req = new Name();
  req.name = name;
  expectEqI64(loop.await(counter.Reset(loop, req)), 0, "Reset " + name);
}

function startIncrement(name: string, by: i64): Future {
  const req = new IncrementRequest();
  req.name = name;
  req.by = by;
  return counter.Increment(loop, req);
}

/** An increment's status and new value. */
function increment(name: string, by: i64, value: Value): i32 {
  const f = startIncrement(name, by);
  loop.await(f);
  return f.decode(value);
}

function get(name: string, value: Value): i32 {
  const req = new Name();
  req.name = name;
  const f = counter.Get(loop, req);
  loop.await(f);
  return f.decode(value);
}

export function _start(): void {
  const connected = counter.connect();

  begin("the counter service is reachable");
  expectEqI64(connected, 0, "connect");
  end();

  begin("a new counter reads 0");
  reset("test.new");
  let v = new Value();
  v.value = -1;
  expectEqI64(get("test.new", v), 0, "Get");
  expectEqI64(v.value, 0, "value");
  end();

  begin("increments add up and Get reads the sum");
  reset("test.sum");
  v = new Value();
  expectEqI64(increment("test.sum", 1, v), 0, "Increment by 1");
  expectEqI64(v.value, 1, "after +1");
  v = new Value();
  expectEqI64(increment("test.sum", 41, v), 0, "Increment by 41");
  expectEqI64(v.value, 42, "after +41");
  v = new Value();
  expectEqI64(increment("test.sum", -2, v), 0, "Increment by -2");
  expectEqI64(v.value, 40, "after -2");
  v = new Value();
  expectEqI64(get("test.sum", v), 0, "Get");
  expectEqI64(v.value, 40, "value");
  end();

  begin("concurrent increments are never lost");
  reset("test.concurrent");
  // All in flight at once: the service interleaves them, so compare-and-sets race and retry.
  const fs = new Array<Future>();
  for (let i = 0; i < CONCURRENT; i++) fs.push(startIncrement("test.concurrent", 1));
  expectEqI64(loop.awaitAll(fs), 0, "every increment");
  // Each increment must have seen its own value: 1..CONCURRENT once each.
  const seen = new Array<bool>(CONCURRENT + 1);
  let distinct = 0;
  for (let i = 0; i < CONCURRENT; i++) {
    const value = new Value();
    fs[i].decode(value);
    const n = <i32>value.value;
    if (n >= 1 && n <= CONCURRENT && !seen[n]) {
      seen[n] = true;
      distinct++;
    }
  }
  expectEqI64(distinct, CONCURRENT, "distinct values seen");
  v = new Value();
  expectEqI64(get("test.concurrent", v), 0, "Get");
  expectEqI64(v.value, CONCURRENT, "value");
  end();

  begin("a bad counter name is refused with the service's own code");
  const refused = startIncrement("", 1);
  loop.await(refused);
  expectEqI64(refused.status, CounterError.COUNTER_ERROR_BAD_NAME, "status");
  check(refused.status > 0, "an application error is positive: " + strerror(refused.status));
  expectEqStr(refused.text(), "a counter name is 1 to 128 bytes", "message");
  end();

  begin("a program that does not require parigot.kv.v1.KV cannot reach it");
  // This program's manifest entry leaves the kernel service out, so the kernel refuses it.
  expectEqI64(new KVClient().connect(), -abi.E_NOT_PERMITTED, "connect");
  expectEqStr(strerror(-abi.E_NOT_PERMITTED), "not permitted", "strerror");
  end();

  exit(exitCode());
}
