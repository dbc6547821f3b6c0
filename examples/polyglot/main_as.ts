// main_as: the AssemblyScript client of the polyglot example. It calls the C
// greeter (polyglot.v1.CGreeter) through the generated client and prints the
// greeting; if the call fails it says why on stderr and exits 1.
//
// The call is asynchronous: Greet returns a Future at once, and loop.await
// runs the event loop until its result has arrived.
import { defaultLoop, exit, log, LOG_ERROR, println, strerror } from "parigot";
import { CGreeterClient, CGreeter_NAME, GreetReply, GreetRequest } from "pg/greeting";

const loop = defaultLoop();
export function _start(): void {
  const greeter = new CGreeterClient();
  let rc = greeter.connect();
  if (rc != 0) {
    log(LOG_ERROR, "main_as: connect " + CGreeter_NAME + ": " + strerror(rc));
    exit(1);
  }
  const req = new GreetRequest();
  req.name = "AssemblyScript";
  // -1: the manifest's call_timeout_ms, so the await ends even if nobody answers.
  const f = greeter.Greet(loop, req, -1);
  loop.await(f);
  const reply = new GreetReply();
  rc = f.decode(reply);
  if (rc != 0) {
    // < 0: the kernel's or the SDK's error; > 0: the greeter's own code, with its message.
    log(LOG_ERROR, "main_as: Greet: " + strerror(rc) + (rc > 0 ? ": " + f.text() : ""));
    exit(1);
  }
  if (!println(reply.greeting + " (from " + reply.language + ")")) exit(1);
}
