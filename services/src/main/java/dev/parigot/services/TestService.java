package dev.parigot.services;

import dev.parigot.kernel.Caller;
import dev.parigot.services.proto.StatusProto.Code;
import dev.parigot.services.proto.TestProto;
import dev.parigot.services.proto.TestProto.BeginRequest;
import dev.parigot.services.proto.TestProto.BeginResponse;
import dev.parigot.services.proto.TestProto.CheckRequest;
import dev.parigot.services.proto.TestProto.CheckResponse;
import dev.parigot.services.proto.TestProto.EndRequest;
import dev.parigot.services.proto.TestProto.EndResponse;
import dev.parigot.services.proto.TestProto.SkipRequest;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadFactory;

/**
 * parigot.test.v1.Test: records the cases and checks each process reports, in memory, for {@link
 * TestRun}. See test.proto for the contract.
 */
final class TestService {
  static final int MAX_NAME = 256;
  static final int MAX_MESSAGE = 4096;
  static final int MAX_FILE = 256;
  static final int MAX_CASES = 10_000;
  static final int KEPT_FAILURES = 100;

  /** One case as reported so far. Guarded by its process's log. */
  static final class CaseLog {
    final String name;
    final long startNanos;
    long endNanos = -1;
    int checks;
    final List<String> failures = new ArrayList<>();
    int unkeptFailures;
    String skipped;

    CaseLog(String name, long startNanos) {
      this.name = name;
      this.startNanos = startNanos;
    }

    boolean failed() {
      return !failures.isEmpty();
    }
  }

  /** What one process reported; lock it to read or change it. */
  static final class ProcessLog {
    final Caller caller;
    final List<CaseLog> cases = new ArrayList<>();
    final Set<String> names = new HashSet<>();
    CaseLog open;

    ProcessLog(Caller caller) {
      this.caller = caller;
    }
  }

  private final Time time;
  private final Map<Long, ProcessLog> logs = new ConcurrentHashMap<>();

  TestService(Time time) {
    this.time = time;
  }

  Time time() {
    return time;
  }

  /** The log of every process that reported, by pid. */
  Map<Long, ProcessLog> logs() {
    return logs;
  }

  Dispatcher dispatcher(ThreadFactory threads) {
    return Dispatcher.of(TestProto.getDescriptor().findServiceByName("Test"), threads)
        .on("Begin", BeginRequest.getDefaultInstance(), this::begin)
        .on("Check", CheckRequest.getDefaultInstance(), this::check)
        .on("End", EndRequest.getDefaultInstance(), this::end)
        .on("Skip", SkipRequest.getDefaultInstance(), this::skip)
        .build();
  }

  private BeginResponse begin(Call call, BeginRequest r) {
    String name = r.getName();
    Check.text("name", name, 1, MAX_NAME);
    if (name.chars().anyMatch(Character::isISOControl)) {
      throw Failure.invalid("name: '" + Check.printable(name) + "' contains a control character");
    }
    ProcessLog log =
        logs.computeIfAbsent(call.caller().pid(), pid -> new ProcessLog(call.caller()));
    synchronized (log) {
      if (log.open != null) {
        throw Failure.precondition(
            "case '" + Check.printable(log.open.name) + "' is still open; end it first");
      }
      if (log.names.contains(name)) {
        throw new Failure(
            Code.ALREADY_EXISTS, "case '" + Check.printable(name) + "' was already reported");
      }
      if (log.cases.size() == MAX_CASES) {
        throw new Failure(Code.RESOURCE_EXHAUSTED, MAX_CASES + " cases reported; no more");
      }
      log.open = new CaseLog(name, time.nanos());
      log.names.add(name);
      log.cases.add(log.open);
    }
    return BeginResponse.getDefaultInstance();
  }

  private CheckResponse check(Call call, CheckRequest r) {
    Check.text("message", r.getMessage(), 0, MAX_MESSAGE);
    Check.text("file", r.getFile(), 0, MAX_FILE);
    ProcessLog log = log(call);
    synchronized (log) {
      CaseLog c = open(log);
      c.checks++;
      if (!r.getPassed()) {
        if (c.failures.size() < KEPT_FAILURES) {
          String where = r.getFile().isEmpty() ? "" : r.getFile() + ":" + r.getLine() + ": ";
          c.failures.add(where + (r.getMessage().isEmpty() ? "check failed" : r.getMessage()));
        } else {
          c.unkeptFailures++;
        }
      }
    }
    return CheckResponse.getDefaultInstance();
  }

  private EndResponse end(Call call, EndRequest r) {
    return close(call, null);
  }

  private EndResponse skip(Call call, SkipRequest r) {
    Check.text("reason", r.getReason(), 0, MAX_MESSAGE);
    return close(call, r.getReason().isEmpty() ? "skipped" : r.getReason());
  }

  private EndResponse close(Call call, String skipped) {
    ProcessLog log = log(call);
    synchronized (log) {
      CaseLog c = open(log);
      c.endNanos = time.nanos();
      // A failed check stands: skipping cannot hide it.
      if (skipped != null && !c.failed()) {
        c.skipped = skipped;
      }
      log.open = null;
      return EndResponse.newBuilder().setPassed(!c.failed() && c.skipped == null).build();
    }
  }

  private ProcessLog log(Call call) {
    ProcessLog log = logs.get(call.caller().pid());
    if (log == null) {
      throw Failure.precondition("no case is open; call Begin first");
    }
    return log;
  }

  private static CaseLog open(ProcessLog log) {
    if (log.open == null) {
      throw Failure.precondition("no case is open; call Begin first");
    }
    return log.open;
  }
}
