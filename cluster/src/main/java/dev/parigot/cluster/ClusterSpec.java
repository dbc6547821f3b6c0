package dev.parigot.cluster;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * A manifest's {@code [cluster]} table and where its programs run, as {@link ClusterSection}
 * checked them. The README's section "A cluster of kernels" describes the keys.
 *
 * @param servers the NATS servers' URLs, tried in order
 * @param credentials the directory of the programs' passwords that {@code parigot cluster config}
 *     wrote, already resolved against the manifest's directory; empty to connect without a user
 * @param heartbeat how often a provider that has not answered tells its callers it lives; a caller
 *     that hears nothing for two of these fails the call with PROVIDER_DIED
 * @param nodes the node names, in manifest order
 * @param placement each program's nodes, by program name; every program has at least one
 * @param httpNode the node that serves the app's {@code [http]} ingress ({@code [http]}'s {@code
 *     node}); empty when the app serves no HTTP
 */
public record ClusterSpec(
    List<String> servers,
    Optional<Path> credentials,
    Duration heartbeat,
    List<String> nodes,
    Map<String, List<String>> placement,
    Optional<String> httpNode) {
  /** The heartbeat when the manifest sets none. */
  public static final Duration DEFAULT_HEARTBEAT = Duration.ofSeconds(1);

  public ClusterSpec {
    servers = List.copyOf(servers);
    Objects.requireNonNull(credentials, "credentials");
    Objects.requireNonNull(heartbeat, "heartbeat");
    nodes = List.copyOf(nodes);
    placement = Map.copyOf(placement);
    Objects.requireNonNull(httpNode, "httpNode");
  }

  /** Whether {@code program} runs on {@code node}. */
  public boolean runs(String node, String program) {
    return placement.getOrDefault(program, List.of()).contains(node);
  }
}
