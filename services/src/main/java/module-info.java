/**
 * The kernel's own services: parigot.kv.v1.KV, parigot.queue.v1.Queue, parigot.log.v1.Log,
 * parigot.clock.v1.Clock, parigot.file.v1.File and parigot.test.v1.Test, as Java providers for a
 * {@link dev.parigot.kernel.Kernel}. The entry
 * point is {@link dev.parigot.services.KernelServices}.
 */
module dev.parigot.services {
  requires transitive dev.parigot.kernel;
  requires com.google.protobuf;
  requires java.sql;
  requires org.xerial.sqlitejdbc;

  exports dev.parigot.services;
}
