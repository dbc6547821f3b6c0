package dev.parigot.cluster;

import dev.parigot.kernel.ProgramSpec;
import dev.parigot.kernel.spi.ManifestSection;
import dev.parigot.kernel.spi.ManifestTable;
import dev.parigot.kernel.spi.SectionContext;
import dev.parigot.kernel.spi.SectionKey;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * The manifest's {@code [cluster]} table and its programs' {@code node} and {@code nodes} keys. Its
 * value, {@code manifest.section(ClusterSection.KEY)}, is empty for a manifest without {@code
 * [cluster]}: the app then runs in one kernel, and a program may name no node.
 *
 * <p>This class refers to nothing of NATS, so that reading a manifest without {@code [cluster]}
 * loads no NATS client.
 */
public final class ClusterSection implements ManifestSection<ClusterSpec> {
  /** The key of the app's {@link ClusterSpec}. */
  public static final SectionKey<ClusterSpec> KEY = SectionKey.of("cluster");

  private static final Pattern NODE = Pattern.compile("[a-z][a-z0-9-]{0,31}");
  private static final Pattern SERVER = Pattern.compile("(nats|tls)://[A-Za-z0-9.:\\[\\]_-]+");
  private static final String NODE_RULE =
      "a node name (a lower-case letter, then lower-case letters, digits or '-', at most 32)";

  /** Made by {@link java.util.ServiceLoader}. */
  public ClusterSection() {}

  @Override
  public SectionKey<ClusterSpec> key() {
    return KEY;
  }

  @Override
  public List<String> tables() {
    return List.of("cluster");
  }

  @Override
  public List<String> reads() {
    return List.of("http");
  }

  @Override
  public List<String> programKeys() {
    return List.of("node", "nodes");
  }

  @Override
  public Optional<ClusterSpec> read(SectionContext manifest) {
    Optional<ManifestTable> table =
        manifest
            .root()
            .table("cluster", "a table, like [cluster] servers = [\"nats://127.0.0.1:4222\"]");
    if (table.isEmpty()) {
      for (ProgramSpec program : manifest.programs()) {
        ManifestTable t = manifest.program(program);
        for (String key : List.of("node", "nodes")) {
          if (t.has(key)) {
            t.report(
                t.line(key), t.name(key) + ": names a node, but the manifest has no [cluster]");
          }
        }
      }
      httpTable(manifest)
          .filter(http -> http.has("node"))
          .ifPresent(http ->
              http.report(
                  http.line("node"),
                  http.name("node") + ": names a node, but the manifest has no [cluster]"));
      return Optional.empty();
    }
    ManifestTable cluster = table.get();
    cluster.unknownKeys(List.of("servers", "nodes", "credentials", "heartbeat_ms"));
    boolean ok = true;
    var servers = new ArrayList<String>();
    List<ManifestTable.Item> serverItems = cluster.strings("servers");
    for (ManifestTable.Item item : serverItems) {
      if (cluster.check(
          "servers",
          SERVER.matcher(item.value()).matches(),
          item.value(),
          "a NATS URL, like \"nats://127.0.0.1:4222\"")) {
        servers.add(item.value());
      } else {
        ok = false;
      }
    }
    if (serverItems.isEmpty()) {
      cluster.report(
          cluster.line(),
          cluster.name("servers") + ": missing; [cluster] names at least one NATS server");
      ok = false;
    }
    var nodes = new LinkedHashSet<String>();
    List<ManifestTable.Item> nodeItems = cluster.strings("nodes");
    for (ManifestTable.Item item : nodeItems) {
      if (!cluster.check("nodes", NODE.matcher(item.value()).matches(), item.value(), NODE_RULE)) {
        ok = false;
      } else if (!nodes.add(item.value())) {
        cluster.report(
            item.line(),
            cluster.name("nodes") + ": " + ManifestTable.quote(item.value()) + " is listed twice");
        ok = false;
      }
    }
    if (nodeItems.isEmpty()) {
      cluster.report(
          cluster.line(), cluster.name("nodes") + ": missing; [cluster] names its nodes");
      ok = false;
    }
    Optional<Path> credentials = Optional.empty();
    Optional<String> dir = cluster.string("credentials", "a directory path");
    if (dir.isPresent()) {
      try {
        credentials =
            Optional.of(
                manifest.file().toAbsolutePath().getParent().resolve(dir.get()).normalize());
      } catch (InvalidPathException e) {
        cluster.check("credentials", false, dir.get(), "a directory path");
        ok = false;
      }
    }
    Duration heartbeat = ClusterSpec.DEFAULT_HEARTBEAT;
    if (cluster.has("heartbeat_ms")) {
      Optional<Long> ms = cluster.integer("heartbeat_ms", 20, 60_000, " (milliseconds)");
      ok &= ms.isPresent();
      heartbeat = ms.map(Duration::ofMillis).orElse(heartbeat);
    }
    Optional<String> httpNode = Optional.empty();
    Optional<ManifestTable> http = httpTable(manifest);
    if (http.isPresent()) {
      httpNode = httpNode(http.get(), nodes);
      ok &= httpNode.isPresent();
    }
    var placement = new LinkedHashMap<String, List<String>>();
    for (ProgramSpec program : manifest.programs()) {
      ok &= checkSubjects(manifest.program(program), program);
      Optional<List<String>> on = placement(manifest.program(program), nodes);
      on.ifPresent(list -> placement.put(program.name(), list));
      ok &= on.isPresent();
    }
    if (!ok) {
      return Optional.empty();
    }
    return Optional.of(
        new ClusterSpec(servers, credentials, heartbeat, List.copyOf(nodes), placement, httpNode));
  }

  /** The {@code [http]} table, if there is one; the services' section reports a wrong type. */
  private static Optional<ManifestTable> httpTable(SectionContext manifest) {
    ManifestTable root = manifest.root();
    return root.isTable("http") ? root.table("http", "a table") : Optional.empty();
  }

  /** {@code [http]}'s {@code node}: required with [cluster], one of its nodes. */
  private static Optional<String> httpNode(ManifestTable http, LinkedHashSet<String> nodes) {
    if (!http.has("node")) {
      http.report(
          http.line(),
          http.name("node")
              + ": missing; with [cluster] [http] names the node that serves it, node = \"NAME\""
              + " with NAME one of [cluster] nodes "
              + nodes);
      return Optional.empty();
    }
    Optional<String> node = http.string("node", NODE_RULE);
    if (node.isPresent() && !nodes.contains(node.get())) {
      http.report(
          http.line("node"),
          http.name("node")
              + ": "
              + ManifestTable.quote(node.get())
              + " is not one of [cluster] nodes "
              + nodes);
      return Optional.empty();
    }
    return node;
  }

  /** A program's nodes: {@code node = "a"} or {@code nodes = ["a", "b"]}, declared ones only. */
  private static Optional<List<String>> placement(ManifestTable t, LinkedHashSet<String> nodes) {
    boolean one = t.has("node");
    boolean many = t.has("nodes");
    if (one == many) {
      t.report(
          t.line(),
          t.name(one ? "nodes" : "node")
              + (one
                  ? ": a program has node or nodes, not both"
                  : ": missing; with [cluster] each program names where it runs, node = \"NAME\""
                      + " or nodes = [\"NAME\", ...]"));
      return Optional.empty();
    }
    var items = new ArrayList<ManifestTable.Item>();
    if (one) {
      t.string("node", NODE_RULE).ifPresent(s -> items.add(new ManifestTable.Item(s, 0)));
      if (items.isEmpty()) {
        return Optional.empty();
      }
    } else {
      items.addAll(t.strings("nodes"));
      if (items.isEmpty()) {
        t.report(t.line("nodes"), t.name("nodes") + ": must name at least one node");
        return Optional.empty();
      }
    }
    String key = one ? "node" : "nodes";
    var on = new LinkedHashSet<String>();
    boolean ok = true;
    for (ManifestTable.Item item : items) {
      if (!nodes.contains(item.value())) {
        t.report(
            t.line(key),
            t.name(key)
                + ": "
                + ManifestTable.quote(item.value())
                + " is not one of [cluster] nodes "
                + nodes);
        ok = false;
      } else if (!on.add(item.value())) {
        t.report(
            t.line(key),
            t.name(key) + ": " + ManifestTable.quote(item.value()) + " is listed twice");
        ok = false;
      }
    }
    return ok ? Optional.of(List.copyOf(on)) : Optional.empty();
  }

  /**
   * A service name becomes part of NATS subjects, whose '.'-separated tokens may not be empty: a
   * name ending in '.' or with ".." cannot travel between nodes.
   */
  private static boolean checkSubjects(ManifestTable t, ProgramSpec program) {
    boolean ok = true;
    var names = new LinkedHashSet<>(program.exports());
    names.addAll(program.requires());
    for (String name : names) {
      if (name.endsWith(".") || name.contains("..")) {
        t.report(
            t.line(),
            "program '"
                + program.name()
                + "': service "
                + ManifestTable.quote(name)
                + " has an empty '.' part, which a NATS subject cannot carry; with [cluster]"
                + " service names have none");
        ok = false;
      }
    }
    return ok;
  }
}
