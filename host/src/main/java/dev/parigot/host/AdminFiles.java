package dev.parigot.host;

import dev.parigot.errors.ParigotException;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.HexFormat;

/**
 * Where {@code parigot ps} finds a running app's admin endpoint: {@code admin.address} ({@code
 * 127.0.0.1:PORT}) and {@code admin.token} (readable by its owner only) in the app's data
 * directory, written when the endpoint starts and deleted when it stops.
 */
final class AdminFiles {
  static final String ADDRESS = "admin.address";
  static final String TOKEN = "admin.token";

  private AdminFiles() {}

  /** A fresh token: 32 random bytes, in hex. */
  static String newToken() {
    byte[] b = new byte[32];
    new SecureRandom().nextBytes(b);
    return HexFormat.of().formatHex(b);
  }

  /**
   * Writes both files. The token file is created owner-only (0600) under a temporary name and moved
   * into place, so it is never readable by others, even for a moment.
   *
   * @throws ParigotException if they cannot be written
   */
  static void write(Path dataDir, InetSocketAddress address, String token) {
    try {
      Files.createDirectories(dataDir);
      Path tmp =
          Files.createTempFile(
              dataDir,
              ".admin",
              ".tmp",
              PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
      Files.writeString(tmp, token + "\n", StandardCharsets.US_ASCII);
      Files.move(tmp, dataDir.resolve(TOKEN), StandardCopyOption.ATOMIC_MOVE);
      Path addr = Files.createTempFile(dataDir, ".admin", ".tmp");
      Files.writeString(addr, "127.0.0.1:" + address.getPort() + "\n", StandardCharsets.US_ASCII);
      Files.move(addr, dataDir.resolve(ADDRESS), StandardCopyOption.ATOMIC_MOVE);
    } catch (IOException | UnsupportedOperationException e) {
      throw new ParigotException(
          "cannot write the admin endpoint's files in " + dataDir + ": " + e.getMessage(), e);
    }
  }

  /** Deletes both files; what cannot be deleted stays, and a later start replaces it. */
  static void delete(Path dataDir) {
    for (String name : new String[] {ADDRESS, TOKEN}) {
      try {
        Files.deleteIfExists(dataDir.resolve(name));
      } catch (IOException e) {
        // Stale files name a port nothing listens on: ps then says the app is not running.
      }
    }
  }
}
