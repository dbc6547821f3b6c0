package dev.parigot.cluster;

import dev.parigot.kernel.Manifest;
import java.nio.file.Path;
import java.util.Optional;

/**
 * A node in a JVM of its own, for the tests that kill one with SIGKILL: {@code NodeMain APP.toml
 * NODE} starts the node as {@code parigot run APP.toml --node NODE} does, prints "ready" once it
 * serves, and runs until killed.
 */
public final class NodeMain {
  private NodeMain() {}

  public static void main(String[] args) throws InterruptedException {
    ClusterNode node =
        ClusterNode.start(Manifest.load(Path.of(args[0])), args[1], Apps.QUIET, Optional.empty());
    System.out.println("ready");
    System.out.flush();
    node.awaitMains();
  }
}
