/**
 * Kernels on several machines over NATS: a manifest's {@code [cluster]} table, a node that runs its
 * share of an app and carries calls to and from the other nodes, kv and queue on JetStream, and the
 * NATS server's accounts for an app. The entry points are {@link dev.parigot.cluster.ClusterNode}
 * and {@link dev.parigot.cluster.ClusterConfig}.
 */
module dev.parigot.cluster {
  requires transitive dev.parigot.kernel;
  requires transitive dev.parigot.services;
  requires io.nats.jnats;
  requires org.tomlj;

  exports dev.parigot.cluster;
  // kv and queue on JetStream, for a node's kernel services.
  exports dev.parigot.cluster.store;

  // The manifest's [cluster] table and its programs' node and nodes keys.
  provides dev.parigot.kernel.spi.ManifestSection with
      dev.parigot.cluster.ClusterSection;
}
