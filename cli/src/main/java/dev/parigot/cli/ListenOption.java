package dev.parigot.cli;

import dev.parigot.host.AppHost;
import dev.parigot.kernel.Manifest;
import dev.parigot.services.HttpSection;
import java.net.InetSocketAddress;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine;
import picocli.CommandLine.Option;

/**
 * The option of {@code run} and {@code dev} that moves an app's HTTP ingress ({@code test} starts
 * none: its programs call the handlers).
 */
final class ListenOption {
  // [HOST:]PORT, an IPv6 host in brackets.
  private static final Pattern LISTEN =
      Pattern.compile(
          "(?:(\\[[0-9A-Fa-f:.]{2,45}\\]|[A-Za-z0-9][A-Za-z0-9.-]{0,252}):)?([0-9]{1,5})");

  @Option(
      names = "--listen",
      paramLabel = "[HOST:]PORT",
      description =
          "Serve the app's HTTP on this address rather than its [http] listen (port 0: any free"
              + " one; HOST: the manifest's by default).")
  String listen;

  /**
   * Applies --listen to {@code host}.
   *
   * @throws CommandLine.ParameterException if it is malformed or the app serves no HTTP
   */
  AppHost.Builder apply(AppHost.Builder host, Manifest manifest, CommandLine cli) {
    return address(manifest, cli).map(host::listen).orElse(host);
  }

  /**
   * The address --listen gives, unresolved; empty without --listen.
   *
   * @throws CommandLine.ParameterException if it is malformed or the app serves no HTTP
   */
  Optional<InetSocketAddress> address(Manifest manifest, CommandLine cli) {
    if (listen == null) {
      return Optional.empty();
    }
    Matcher m = LISTEN.matcher(listen);
    int port = m.matches() && m.group(2).length() <= 5 ? Integer.parseInt(m.group(2)) : -1;
    if (port < 0 || port > 65535) {
      throw new CommandLine.ParameterException(
          cli,
          "--listen: '"
              + listen
              + "' is not [HOST:]PORT with a port from 0 to 65535 and a host name, an IPv4"
              + " address or an IPv6 address in brackets");
    }
    var http = manifest.section(HttpSection.KEY);
    if (http.isEmpty()) {
      throw new CommandLine.ParameterException(
          cli, "--listen: app '" + manifest.app() + "' serves no HTTP (no [http] table)");
    }
    String given = m.group(1);
    String hostName =
        given == null
            ? http.get().host()
            : given.startsWith("[") ? given.substring(1, given.length() - 1) : given;
    return Optional.of(InetSocketAddress.createUnresolved(hostName, port));
  }
}
