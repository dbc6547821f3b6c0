package dev.parigot.kernel.conformance;

import dev.parigot.kernel.Caller;
import dev.parigot.kernel.Provider;
import dev.parigot.kernel.Replies;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.time.Duration;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A Java service that test guests call to report what they observed: each call is recorded and
 * answered at once with an empty END. Guests report an i32 as a 4-byte little-endian request.
 */
public final class Probe implements Provider {
  public static final String NAME = "parigot.test.v1.Probe";

  /** One report: who sent it, the method the guest used as a tag, and the request bytes. */
  public record Report(Caller caller, int method, byte[] data) {
    public int asInt() {
      return ByteBuffer.wrap(data).order(ByteOrder.LITTLE_ENDIAN).getInt();
    }
  }

  private final BlockingQueue<Report> reports = new LinkedBlockingQueue<>();

  @Override
  public Cancellation open(Caller caller, int method, byte[] request, Replies replies) {
    reports.add(new Report(caller, method, request));
    replies.end(new byte[0]);
    return reason -> {};
  }

  /** The next report, waiting up to 30 s; fails the test if none comes. */
  public Report next() throws InterruptedException {
    Report r = reports.poll(30, TimeUnit.SECONDS);
    if (r == null) {
      throw new AssertionError("the guest reported nothing within 30 s");
    }
    return r;
  }

  /** The next report's value as an i32. */
  public int nextInt() throws InterruptedException {
    return next().asInt();
  }

  /** The next report within {@code within}, or null if none comes. */
  public Report poll(Duration within) throws InterruptedException {
    return reports.poll(within.toNanos(), TimeUnit.NANOSECONDS);
  }

  /** True if no report arrives within {@code quiet}. */
  public boolean silentFor(Duration quiet) throws InterruptedException {
    return reports.poll(quiet.toMillis(), TimeUnit.MILLISECONDS) == null;
  }
}
