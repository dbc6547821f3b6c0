/**
 * The kernel's own services: parigot.kv.v1.KV, parigot.queue.v1.Queue, parigot.log.v1.Log and
 * parigot.clock.v1.Clock, as Java providers for a {@link dev.parigot.kernel.Kernel}. The entry
 * point is {@link dev.parigot.services.KernelServices}.
 */
module dev.parigot.services {
  requires transitive dev.parigot.kernel;
  requires com.google.protobuf;
  requires java.sql;
  requires org.xerial.sqlitejdbc;

  exports dev.parigot.services;
  // The request and response messages, for hosts that call the services from Java.
  exports dev.parigot.services.proto;
}
