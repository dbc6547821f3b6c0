package dev.parigot.services;

import dev.parigot.errors.ParigotException;
import dev.parigot.kernel.Caller;
import dev.parigot.kernel.Provider;
import dev.parigot.kernel.Replies;
import dev.parigot.services.proto.StatusProto.Code;
import java.io.IOException;
import java.lang.System.Logger;
import java.lang.System.Logger.Level;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.SQLException;
import java.util.Optional;

/**
 * One kernel service under its name, built on its first call (or when an app that requires it is
 * admitted): an app that uses no kernel service opens no database, creates no data directory and
 * loads none of the service's classes, which is most of what a short run's start used to cost.
 */
final class OnDemand implements Provider {
  private static final Logger LOG = System.getLogger("dev.parigot.services");

  /** Builds the service; may open its database. */
  @FunctionalInterface
  interface Opener {
    Dispatcher open() throws IOException, SQLException;
  }

  private final String name;
  private final Path dataDir;
  private final Opener opener;
  // Guarded by this.
  private Dispatcher built;
  private boolean closed;

  /**
   * @param name the service's full name, as its dispatcher's (a test holds them equal)
   * @param dataDir where its data lives, for the message when it cannot be opened
   */
  OnDemand(String name, Path dataDir, Opener opener) {
    this.name = name;
    this.dataDir = dataDir;
    this.opener = opener;
  }

  String name() {
    return name;
  }

  /**
   * The service, built now if it was not yet.
   *
   * @throws ParigotException if its data cannot be opened (a later call tries again)
   * @throws Failure UNAVAILABLE once closed
   */
  synchronized Dispatcher get() {
    if (closed) {
      throw new Failure(Code.UNAVAILABLE, name + " is shutting down");
    }
    if (built == null) {
      try {
        built = opener.open();
      } catch (IOException | SQLException e) {
        throw new ParigotException(
            "cannot open the kernel services' data in " + dataDir + ": " + e.getMessage(), e);
      }
    }
    return built;
  }

  /** The service if it was built. */
  synchronized Optional<Dispatcher> built() {
    return Optional.ofNullable(built);
  }

  /** Refuses new calls from now on, without building the service to say so. Idempotent. */
  synchronized void close() {
    closed = true;
    if (built != null) {
      built.close();
    }
  }

  @Override
  public Cancellation open(Caller caller, int method, byte[] request, Replies replies) {
    Dispatcher d;
    try {
      d = get();
    } catch (Failure e) {
      return fail(replies, e.code(), e.getMessage());
    } catch (ParigotException e) {
      LOG.log(Level.ERROR, e.getMessage(), e);
      return fail(replies, Code.UNAVAILABLE, e.getMessage());
    }
    return d.open(caller, method, request, replies);
  }

  private static Cancellation fail(Replies replies, Code code, String message) {
    replies.fail(code.getNumber(), message.getBytes(StandardCharsets.UTF_8));
    return reason -> {};
  }
}
