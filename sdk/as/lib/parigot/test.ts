// Writing test programs (role = "test") for `parigot test` in AssemblyScript: the counterpart of
// the C SDK's parigot_test.h. A test program runs cases and reports each check to the kernel's
// test service, parigot.test.v1.Test, which its manifest must require:
//
//   import { begin, end, expectEqI64, exitCode } from "parigot/test";
//   export function _start(): void {
//     begin("adds");
//     expectEqI64(add(2, 2), 4, "add(2, 2)");
//     end();
//     exit(exitCode());
//   }
//
// Every report is a call awaited before the function returns (the loop keeps serving meanwhile),
// so reports arrive in order and a crash right after a check cannot lose it. The requests are
// encoded here from test.proto's field numbers, so a test needs no generated code for them.
import { defaultLoop, locate, log, LOG_ERROR, strerror } from "./runtime";
import { OK, Writer, stringSize } from "./wire";

/** The name a test program's manifest must require. */
export const TEST_SERVICE = "parigot.test.v1.Test";
const BEGIN: i32 = 1;
const CHECK: i32 = 2;
const END: i32 = 3;

let service: i32 = 0;
let failed: bool = false;

function report(method: i32, body: Uint8Array): i32 {
  if (service <= 0) {
    const h = locate(TEST_SERVICE);
    if (h < 0) {
      failed = true;
      log(LOG_ERROR, "test: locate " + TEST_SERVICE + ": " + strerror(h));
      return h;
    }
    service = h;
  }
  const loop = defaultLoop();
  const f = loop.call(service, method, body, -1);
  const rc = loop.await(f);
  if (rc != OK) {
    failed = true;
    log(LOG_ERROR, "test: report: " + strerror(rc) + (rc > 0 ? ": " + f.text() : ""));
  }
  return rc;
}

function text(field: i32, s: string, w: Writer): void {
  if (s.length > 0) {
    w.tag(field, 2);
    w.string(s);
  }
}

/** Opens a case called name. 0 or the failed report's status. */
export function begin(name: string): i32 {
  const w = new Writer(name.length > 0 ? 1 + stringSize(name) : 0);
  text(1, name, w);
  return report(BEGIN, w.buf);
}

/** Records one check of the open case; returns passed. */
export function check(passed: bool, message: string): bool {
  if (!passed) failed = true;
  const size = (passed ? 2 : 0) + (message.length > 0 ? 1 + stringSize(message) : 0);
  const w = new Writer(size);
  if (passed) {
    w.tag(1, 0);
    w.varint(1);
  }
  text(2, message, w);
  report(CHECK, w.buf);
  return passed;
}

/** Checks actual == expected, saying both when they differ. */
export function expectEqI64(actual: i64, expected: i64, what: string): bool {
  return check(
    actual == expected,
    what + ": " + actual.toString() + (actual == expected ? " == " : " != ") + expected.toString(),
  );
}

/** Checks two strings are equal. */
export function expectEqStr(actual: string, expected: string, what: string): bool {
  return check(actual == expected, what + ": \"" + actual + "\"" + (actual == expected ? " == " : " != ") + "\"" + expected + "\"");
}

/** Closes the open case. */
export function end(): i32 {
  return report(END, new Uint8Array(0));
}

/** 0 if every check passed and every report arrived, else 1: the program's exit code. */
export function exitCode(): i32 {
  return failed ? 1 : 0;
}
