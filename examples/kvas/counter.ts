// counter: serves counter.v1.Counter (counter.proto) in AssemblyScript, on top of the kernel's
// key-value service, parigot.kv.v1.KV (proto/parigot/kv/v1/kv.proto): the same service as
// examples/kv/counter.c, so either can stand in for the other.
//
// Each counter is one key in the bucket "counters", its value the decimal text of the count.
// Increment is a compare-and-set loop: read the key and its revision, write value + by only if
// the revision is still the same, and start again if another writer got there first. Handlers
// await their kv calls, so the loop serves other calls meanwhile and increments interleave; the
// revision check is what keeps any of them from being lost.
import { Call, Future, defaultLoop, exit, log, LOG_ERROR, strerror, text, utf8 } from "parigot";
import {
  CounterServer,
  CounterError,
  Counter_Get_reply,
  Counter_Increment_reply,
  Counter_Reset_reply,
  IncrementRequest,
  Name,
  Value,
} from "pg/counter";
import {
  CompareAndSetRequest,
  CompareAndSetResponse,
  DeleteRequest,
  DeleteResponse,
  GetRequest,
  GetResponse,
  KVClient,
  KV_NAME,
} from "pg/parigot/kv/v1/kv";

const BUCKET = "counters";
const NAME_MAX_BYTES: i32 = 128;
// Enough for any reasonable contention; past it the caller is told to retry.
const MAX_ATTEMPTS: i32 = 100;
// Application codes of parigot.kv.v1.KV (proto/parigot/status/v1/status.proto).
const KV_NOT_FOUND: i32 = 5;
const KV_FAILED_PRECONDITION: i32 = 9;

const loop = defaultLoop();
const kv = new KVClient();

/** Fails a call with the store's error, keeping the kernel's message. */
function failStore(call: Call, what: string, rc: i32, f: Future): void {
  const detail = f.data.length > 0 ? ": " + f.text() : "";
  call.fail(CounterError.COUNTER_ERROR_STORE, "kv " + what + ": " + strerror(rc) + detail);
}

/** Checks a counter name; fails the call and returns false if it is bad. */
function validName(call: Call, name: string): bool {
  const n = String.UTF8.byteLength(name);
  if (n == 0 || n > NAME_MAX_BYTES) {
    call.fail(CounterError.COUNTER_ERROR_BAD_NAME, "a counter name is 1 to 128 bytes");
    return false;
  }
  return true;
}

/** A counter as read: its value and revision (0 and 0 for a missing key), or a failure. */
class Read {
  rc: i32 = 0;
  value: i64 = 0;
  revision: i64 = 0;
}

function readCounter(call: Call, name: string): Read {
  const get = new GetRequest();
  get.bucket = BUCKET;
  get.key = name;
  const f = kv.Get(loop, get);
  loop.await(f);
  const got = new GetResponse();
  const out = new Read();
  const rc = f.decode(got);
  const entry = got.entry;
  if (rc == 0 && entry != null) {
    out.value = I64.parseInt(text(entry.value), 10);
    out.revision = entry.revision;
  } else if (rc != KV_NOT_FOUND) {
    failStore(call, "get", rc, f);
    out.rc = rc;
  }
  return out;
}

class Counter extends CounterServer {
  Increment(call: Call, req: IncrementRequest): void {
    if (!validName(call, req.name)) return;
    for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
      const read = readCounter(call, req.name);
      if (read.rc != 0) return;
      const cas = new CompareAndSetRequest();
      cas.bucket = BUCKET;
      cas.key = req.name;
      cas.value = utf8((read.value + req.by).toString());
      cas.expected_revision = read.revision;
      const f = kv.CompareAndSet(loop, cas);
      loop.await(f);
      const rc = f.decode(new CompareAndSetResponse());
      if (rc == 0) {
        const reply = new Value();
        reply.value = read.value + req.by;
        Counter_Increment_reply(call, reply);
        return;
      }
      if (rc != KV_FAILED_PRECONDITION) {
        failStore(call, "compare-and-set", rc, f);
        return;
      }
      // Someone else changed the counter since we read it: read it again.
    }
    call.fail(CounterError.COUNTER_ERROR_CONTENDED, "too many concurrent increments; try again");
  }

  Get(call: Call, req: Name): void {
    if (!validName(call, req.name)) return;
    const read = readCounter(call, req.name);
    if (read.rc != 0) return;
    const reply = new Value();
    reply.value = read.value;
    Counter_Get_reply(call, reply);
  }

  Reset(call: Call, req: Name): void {
    if (!validName(call, req.name)) return;
    const del = new DeleteRequest();
    del.bucket = BUCKET;
    del.key = req.name;
    const f = kv.Delete(loop, del);
    loop.await(f);
    const rc = f.decode(new DeleteResponse());
    if (rc != 0) {
      failStore(call, "delete", rc, f);
      return;
    }
    Counter_Reset_reply(call, new Value());
  }
}

export function _start(): void {
  let rc = kv.connect();
  if (rc != 0) {
    log(LOG_ERROR, "counter: connect " + KV_NAME + ": " + strerror(rc));
    exit(1);
  }
  rc = new Counter().serve(loop);
  if (rc != 0) {
    log(LOG_ERROR, "counter: serve: " + strerror(rc));
    exit(1);
  }
  log(LOG_ERROR, "counter: the loop stopped: " + strerror(loop.run()));
  exit(1);
}
