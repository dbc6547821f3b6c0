package dev.parigot.cli;

import dev.parigot.host.RunningApp;
import dev.parigot.kernel.Manifest;
import java.io.PrintWriter;
import java.net.InetSocketAddress;

/** The line {@code run --admin} prints: where the endpoint listens and where its token is. */
final class AdminNotice {
  private AdminNotice() {}

  static void print(RunningApp app, Manifest manifest, InetSocketAddress address, PrintWriter err) {
    err.println(
        "parigot: app '"
            + app.name()
            + "' admin endpoint on http://127.0.0.1:"
            + address.getPort()
            + "/ (token in "
            + manifest.dataDir().resolve("admin.token")
            + ")");
    err.flush();
  }
}
