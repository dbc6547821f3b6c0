/**
 * The kernel's own services: parigot.kv.v1.KV, parigot.queue.v1.Queue, parigot.log.v1.Log,
 * parigot.clock.v1.Clock, parigot.file.v1.File, parigot.test.v1.Test and parigot.http.v1.Client, as
 * Java providers for a {@link dev.parigot.kernel.Kernel}, and an app's HTTP ingress. The entry
 * points are {@link dev.parigot.services.KernelServices} and {@link
 * dev.parigot.services.HttpIngress}.
 */
module dev.parigot.services {
  requires transitive dev.parigot.kernel;
  requires com.google.protobuf;
  requires java.sql;
  requires org.xerial.sqlitejdbc;
  requires java.net.http;

  exports dev.parigot.services;
  // The request and response messages, for hosts that call the services from Java.
  exports dev.parigot.services.proto;
  // Where kv and queue keep their data, for stores other than SQLite (JetStream's, in a cluster).
  exports dev.parigot.services.store;

  // The manifest's [http] and [disk] tables and the programs' files, http_allow and disk_mib keys.
  provides dev.parigot.kernel.spi.ManifestSection with
      dev.parigot.services.DiskSection,
      dev.parigot.services.FilesSection,
      dev.parigot.services.HttpSection,
      dev.parigot.services.HttpAllowSection;
}
