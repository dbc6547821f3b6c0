package dev.parigot.services;

import dev.parigot.kernel.spi.ManifestTable;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * An address of the manifest: {@code host:port}, or {@code host:*} (port -1) where any port is
 * allowed.
 *
 * @param host lower-cased; an IPv6 literal without brackets
 * @param port 0 to 65535, or -1 for any
 */
record HostPort(String host, int port) {
  // A host name of letters, digits, '-' and '.', or an IPv4 literal (the same characters).
  private static final Pattern HOST_NAME =
      Pattern.compile("[A-Za-z0-9]([A-Za-z0-9-]{0,62})(\\.[A-Za-z0-9]([A-Za-z0-9-]{0,62}))*");
  private static final Pattern IPV6 = Pattern.compile("[0-9A-Fa-f:.]{2,45}");

  /**
   * Parses {@code HOST:PORT} (an IPv6 host in brackets), or {@code HOST:*} when {@code anyPort},
   * reporting anything else against {@code key} of {@code table}.
   */
  static Optional<HostPort> parse(ManifestTable table, String key, String value, boolean anyPort) {
    String rule =
        "\"HOST:PORT\" with a host name, an IPv4 address or an IPv6 address in brackets, and a"
            + " port from "
            + (anyPort ? "1 to 65535 or *" : "0 to 65535 (0: any free port)");
    int colon = value.lastIndexOf(':');
    String host = colon < 0 ? "" : value.substring(0, colon);
    String port = colon < 0 ? "" : value.substring(colon + 1);
    boolean hostOk;
    if (host.startsWith("[") && host.endsWith("]")) {
      host = host.substring(1, host.length() - 1);
      hostOk = IPV6.matcher(host).matches() && host.contains(":");
    } else {
      hostOk = HOST_NAME.matcher(host).matches() && host.length() <= 253;
    }
    int number = -1;
    boolean portOk = anyPort && port.equals("*");
    if (!portOk && port.matches("[0-9]{1,5}")) {
      number = Integer.parseInt(port);
      portOk = number >= (anyPort ? 1 : 0) && number <= 65535;
    }
    if (!table.check(key, hostOk && portOk, value, rule)) {
      return Optional.empty();
    }
    return Optional.of(new HostPort(host.toLowerCase(Locale.ROOT), number));
  }

  /** As the manifest writes it: an IPv6 host in brackets, {@code *} for any port. */
  @Override
  public String toString() {
    return (host.contains(":") ? "[" + host + "]" : host) + ":" + (port < 0 ? "*" : port);
  }
}
