// greeter_as: the AssemblyScript greeter of the polyglot example. It serves
// polyglot.v1.AsGreeter (greeting.proto) through the generated server class:
// AsGreeterServer decodes each call's request and hands it to Greet.
import { Call, defaultLoop, log, LOG_ERROR, strerror, exit } from "parigot";
import { AsGreeterServer, AsGreeter_Greet_reply, GreetReply, GreetRequest } from "pg/greeting";

// Application error code (positive: the caller sees it as the status).
const E_EMPTY_NAME: i32 = 1;

class Greeter extends AsGreeterServer {
  Greet(call: Call, req: GreetRequest): void {
    if (req.name.length == 0) {
      call.fail(E_EMPTY_NAME, "a greeting needs a name");
      return;
    }
    const reply = new GreetReply();
    reply.greeting = "Hello, " + req.name + "!";
    reply.language = "AssemblyScript";
    const rc = AsGreeter_Greet_reply(call, reply);
    if (rc != 0) log(LOG_ERROR, "greeter_as: reply: " + strerror(rc));
  }
}

const loop = defaultLoop();
export function _start(): void {
  const rc = new Greeter().serve(loop);
  if (rc != 0) {
    log(LOG_ERROR, "greeter_as: serve: " + strerror(rc));
    exit(1);
  }
  log(LOG_ERROR, "greeter_as: the loop stopped: " + strerror(loop.run()));
  exit(1);
}
