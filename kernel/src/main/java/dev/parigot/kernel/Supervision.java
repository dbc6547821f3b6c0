package dev.parigot.kernel;

import dev.parigot.kernel.spi.SectionKey;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;

/**
 * How the kernel supervises one service program: whether it starts a process of the program again
 * when one ends, how long it waits first, how often it may, and how long an upgrade or a restart by
 * the operator lets the replaced processes finish their calls. The programs' {@code restart},
 * {@code restart_delay_ms}, {@code restart_max_delay_ms}, {@code max_restarts}, {@code
 * restart_window_ms} and {@code drain_timeout_ms} keys (README, "Supervision").
 *
 * <p>The n-th restart within the window waits {@code delay * 2^(n-1)}, at most {@code maxDelay}. A
 * process that would be restarted a {@code maxRestarts + 1}-th time within {@code window} fails the
 * app instead.
 *
 * @param restart when a process of the program is started again
 * @param delay the wait before the first restart within the window
 * @param maxDelay the longest wait before a restart
 * @param maxRestarts restarts allowed within {@code window}, at least 1
 * @param window the span {@code maxRestarts} counts in
 * @param drainTimeout how long replaced processes may take to finish their calls in flight
 */
public record Supervision(
    Restart restart,
    Duration delay,
    Duration maxDelay,
    int maxRestarts,
    Duration window,
    Duration drainTimeout) {
  /**
   * The key of the programs' supervision, by program name: {@code
   * manifest.section(Supervision.KEY)} holds every service program of a manifest.
   */
  public static final SectionKey<Map<String, Supervision>> KEY = SectionKey.of("supervision");

  /** What a program without supervision keys gets: a process that ends stays ended. */
  public static final Supervision DEFAULT =
      new Supervision(
          Restart.NEVER,
          Duration.ofMillis(100),
          Duration.ofSeconds(30),
          5,
          Duration.ofSeconds(60),
          Duration.ofSeconds(30));

  /**
   * Checks the values.
   *
   * @throws IllegalArgumentException if a duration is negative, {@code delay} or {@code window} is
   *     zero, {@code maxDelay} is shorter than {@code delay}, or {@code maxRestarts} is below 1
   */
  public Supervision {
    Objects.requireNonNull(restart, "restart");
    if (delay.isNegative() || delay.isZero() || maxDelay.compareTo(delay) < 0) {
      throw new IllegalArgumentException(
          "delay must be positive and at most maxDelay: " + delay + ", " + maxDelay);
    }
    if (maxRestarts < 1 || window.isNegative() || window.isZero()) {
      throw new IllegalArgumentException(
          "maxRestarts and window must be positive: " + maxRestarts + ", " + window);
    }
    if (drainTimeout.isNegative()) {
      throw new IllegalArgumentException("drainTimeout must not be negative: " + drainTimeout);
    }
  }

  /** When a process of a supervised program is started again after it ends. */
  public enum Restart {
    /** Never: an ended process stays ended (the default). */
    NEVER("never"),
    /** When it was killed (a trap, a limit, a kill) or exited with a non-zero code. */
    ON_FAILURE("on-failure"),
    /** Whenever it ends, even with exit code 0. */
    ALWAYS("always");

    private final String toml;

    Restart(String toml) {
      this.toml = toml;
    }

    /** The manifest's spelling. */
    public String toml() {
      return toml;
    }

    /** Whether a process that ended so is started again. */
    public boolean restarts(boolean failed) {
      return this == ALWAYS || (this == ON_FAILURE && failed);
    }
  }
}
