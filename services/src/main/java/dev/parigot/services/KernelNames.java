package dev.parigot.services;

import com.google.protobuf.Descriptors.ServiceDescriptor;
import dev.parigot.kernel.Kernel;
import dev.parigot.services.proto.ClockProto;
import dev.parigot.services.proto.FileProto;
import dev.parigot.services.proto.HttpProto;
import dev.parigot.services.proto.KvProto;
import dev.parigot.services.proto.LogProto;
import dev.parigot.services.proto.QueueProto;
import dev.parigot.services.proto.StatusProto.Code;
import dev.parigot.services.proto.TestProto;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * The names the kernel services serve, known without opening their data: for a kernel that only
 * checks manifests ({@code parigot check}), so that it accepts and refuses the same {@code
 * parigot.} names as a kernel the services are {@link KernelServices#install installed} in.
 */
public final class KernelNames {
  private static final List<ServiceDescriptor> SERVICES =
      List.of(
          KvProto.getDescriptor().findServiceByName("KV"),
          QueueProto.getDescriptor().findServiceByName("Queue"),
          LogProto.getDescriptor().findServiceByName("Log"),
          ClockProto.getDescriptor().findServiceByName("Clock"),
          FileProto.getDescriptor().findServiceByName("File"),
          TestProto.getDescriptor().findServiceByName("Test"),
          HttpProto.getDescriptor().findServiceByName("Client"),
          HttpProto.getDescriptor().findServiceByName("Body"));

  private KernelNames() {}

  /**
   * The names, as {@link KernelServices#names} of any built services.
   *
   * @return e.g. {@code parigot.kv.v1.KV}, in no particular order
   */
  public static List<String> all() {
    return SERVICES.stream().map(ServiceDescriptor::getFullName).toList();
  }

  /**
   * Serves every name on {@code kernel} with a provider that refuses each call with UNAVAILABLE, as
   * closed services do: the kernel checks and starts nothing that would call them.
   *
   * @return {@code kernel}
   * @throws IllegalArgumentException if the builder already serves one of the names
   */
  public static Kernel.Builder declare(Kernel.Builder kernel) {
    for (String name : all()) {
      byte[] message =
          (name + " is not running: this kernel only checks").getBytes(StandardCharsets.UTF_8);
      kernel.service(
          name,
          (caller, method, request, replies) -> {
            replies.fail(Code.UNAVAILABLE.getNumber(), message);
            return reason -> {};
          });
    }
    return kernel;
  }
}
