// rt_server: the service behind runtime_test.ts, answering in every way the runtime offers: at
// once, later from a callback, as a stream, never (to be cancelled), or with an application error.
import { Call, Future, defaultLoop, exit, log, LOG_ERROR, strerror } from "parigot";
import { Msg, RtServer, Rt_Echo_reply, Rt_HowHangEnded_reply, Rt_Later_reply, Rt_Stream_reply, Rt_Stream_send } from "pg/rt";

const loop = defaultLoop();
let hangEnded: i32 = 0;

function answerLater(f: Future, call: Call): void {
  const reply = new Msg();
  reply.text = "later";
  reply.n = f.status;
  Rt_Later_reply(call, reply);
}

function onHangCancelled(c: Call, why: i32, unused: i32): void {
  hangEnded = why;
}

class Rt extends RtServer {
  Echo(call: Call, req: Msg): void {
    Rt_Echo_reply(call, req);
  }

  Later(call: Call, req: Msg): void {
    loop.sleep(req.n).onDone<Call>(answerLater, call);
  }

  Stream(call: Call, req: Msg): void {
    for (let i = 0; i < req.n; i++) {
      const part = new Msg();
      part.text = i.toString();
      part.n = i;
      Rt_Stream_send(call, part);
    }
    const last = new Msg();
    last.text = req.text;
    Rt_Stream_reply(call, last);
  }

  Hang(call: Call, req: Msg): void {
    hangEnded = 0;
    call.onCancel<i32>(onHangCancelled, 0);
  }

  Fail(call: Call, req: Msg): void {
    call.fail(req.n, req.text);
  }

  HowHangEnded(call: Call, req: Msg): void {
    const reply = new Msg();
    reply.n = hangEnded;
    Rt_HowHangEnded_reply(call, reply);
  }
}

export function _start(): void {
  const rc = new Rt().serve(loop);
  if (rc != 0) {
    log(LOG_ERROR, "rt_server: serve: " + strerror(rc));
    exit(1);
  }
  log(LOG_ERROR, "rt_server: the loop stopped: " + strerror(loop.run()));
  exit(1);
}
