package dev.parigot.services;

import dev.parigot.kernel.Caller;
import dev.parigot.kernel.Kernel;
import dev.parigot.kernel.Manifest;
import dev.parigot.kernel.Provider;
import dev.parigot.services.proto.ClockProto;
import dev.parigot.services.proto.FileProto;
import dev.parigot.services.proto.HttpProto;
import dev.parigot.services.proto.KvProto;
import dev.parigot.services.proto.LogProto;
import dev.parigot.services.proto.QueueProto;
import dev.parigot.services.proto.TestProto;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

/** KernelServices on a data directory and fake time, with a client per service. */
final class Services implements AutoCloseable {
  static final Caller CALLER = new Caller("app", "main", 7);

  final FakeTime time;
  final KernelServices services;
  final Map<String, Provider> providers = new HashMap<>();

  /** Lines shown through the output: "process stderr? line". */
  final List<String> shown = new CopyOnWriteArrayList<>();

  Services(Path dir) {
    this(dir, new FakeTime());
  }

  Services(Path dir, FakeTime time) {
    this(dir, time, List.of());
  }

  /** With the grants of {@code manifests} (files directories). */
  Services(Path dir, FakeTime time, List<Manifest> manifests) {
    this.time = time;
    var builder = KernelServices.builder();
    manifests.forEach(builder::grants);
    services =
        builder
            .dataDir(dir)
            .time(time)
            .output(
                new Kernel.Output() {
                  @Override
                  public void line(String process, boolean stderr, String line) {
                    shown.add(process + (stderr ? " ! " : " ") + line);
                  }
                })
            .build();
    for (var d : services.dispatchers()) {
      providers.put(d.name(), d);
    }
  }

  Client kv() {
    return client("parigot.kv.v1.KV", KvProto.getDescriptor().findServiceByName("KV"));
  }

  Client queue() {
    return client("parigot.queue.v1.Queue", QueueProto.getDescriptor().findServiceByName("Queue"));
  }

  Client log() {
    return client("parigot.log.v1.Log", LogProto.getDescriptor().findServiceByName("Log"));
  }

  Client clock() {
    return client("parigot.clock.v1.Clock", ClockProto.getDescriptor().findServiceByName("Clock"));
  }

  Client file() {
    return client("parigot.file.v1.File", FileProto.getDescriptor().findServiceByName("File"));
  }

  Client test() {
    return client("parigot.test.v1.Test", TestProto.getDescriptor().findServiceByName("Test"));
  }

  Client http() {
    return client("parigot.http.v1.Client", HttpProto.getDescriptor().findServiceByName("Client"));
  }

  Client body() {
    return client("parigot.http.v1.Body", HttpProto.getDescriptor().findServiceByName("Body"));
  }

  private Client client(String name, com.google.protobuf.Descriptors.ServiceDescriptor d) {
    return new Client(providers.get(name), d, CALLER);
  }

  @Override
  public void close() {
    services.close();
  }
}
