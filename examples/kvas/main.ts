// main: the client of the AssemblyScript kv example. It increments the counter "visits" through
// counter.v1.Counter three times, printing each new value, then reads it back. The counter lives
// in the kernel's key-value store, so a second run goes on from where the first stopped.
import { Future, defaultLoop, exit, log, LOG_ERROR, println, strerror } from "parigot";
import { CounterClient, Counter_NAME, IncrementRequest, Name, Value } from "pg/counter";

const COUNTER = "visits";
const TIMES: i32 = 3;

function fail(what: string, rc: i32, f: Future): void {
  log(LOG_ERROR, "main: " + what + ": " + strerror(rc) + (f.data.length > 0 ? ": " + f.text() : ""));
  exit(1);
}

const loop = defaultLoop();
export function _start(): void {
  const counter = new CounterClient();
  const connected = counter.connect();
  if (connected != 0) {
    log(LOG_ERROR, "main: connect " + Counter_NAME + ": " + strerror(connected));
    exit(1);
  }
  for (let i = 0; i < TIMES; i++) {
    const inc = new IncrementRequest();
    inc.name = COUNTER;
    inc.by = 1;
    const f = counter.Increment(loop, inc);
    loop.await(f);
    const value = new Value();
    const rc = f.decode(value);
    if (rc != 0) fail("Increment", rc, f);
    println(COUNTER + ": " + value.value.toString());
  }
  const name = new Name();
  name.name = COUNTER;
  const f = counter.Get(loop, name);
  loop.await(f);
  const value = new Value();
  const rc = f.decode(value);
  if (rc != 0) fail("Get", rc, f);
  println(COUNTER + " is " + value.value.toString() + " after " + TIMES.toString() + " increments");
}
