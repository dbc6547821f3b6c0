package dev.parigot.services;

import static dev.parigot.kernel.testing.ManifestToml.program;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.parigot.errors.ParigotException;
import dev.parigot.kernel.Caller;
import dev.parigot.kernel.Manifest;
import dev.parigot.services.proto.ClockProto;
import dev.parigot.services.proto.ClockProto.NowRequest;
import dev.parigot.services.proto.ClockProto.NowResponse;
import dev.parigot.services.proto.KvProto;
import dev.parigot.services.proto.KvProto.GetRequest;
import dev.parigot.services.proto.StatusProto.Code;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The kernel services are built, and their data opened, only for an app that uses them. */
class OnDemandTest {
  private static final Caller CALLER = new Caller("app", "main", 7);

  @TempDir Path dir;

  private KernelServices services(Path data) {
    return KernelServices.builder().dataDir(data).output((p, e, l) -> {}).build();
  }

  private static Client kv(KernelServices services) {
    return new Client(
        services.provider("parigot.kv.v1.KV").orElseThrow(),
        KvProto.getDescriptor().findServiceByName("KV"),
        CALLER);
  }

  private Manifest requiring(String service) {
    return Manifest.parse(
        program("main", "main", "requires = [\"" + service + "\"]"), dir.resolve("app.toml"));
  }

  @Test
  void everyServiceIsServedUnderItsDispatchersName() {
    try (KernelServices services = services(dir.resolve("data"))) {
      assertThat(services.names())
          .containsExactlyElementsOf(
              services.dispatchers().stream().map(Dispatcher::name).toList());
    }
  }

  @Test
  void servicesNoOneCalledCreateNoDataDirectory() {
    Path data = dir.resolve("data");
    try (KernelServices services = services(data)) {
      var clock =
          new Client(
              services.provider("parigot.clock.v1.Clock").orElseThrow(),
              ClockProto.getDescriptor().findServiceByName("Clock"),
              CALLER);
      assertThat(clock.unary("Now", NowRequest.getDefaultInstance(), NowResponse.parser()))
          .isNotNull();
    }
    assertThat(data).doesNotExist();
  }

  @Test
  void theFirstCallToKvOpensItsStore() {
    Path data = dir.resolve("data");
    try (KernelServices services = services(data)) {
      kv(services)
          .call("Get", GetRequest.newBuilder().setBucket("b").setKey("k").build())
          .error(Code.NOT_FOUND);
      assertThat(data.resolve(KernelServices.STORE_FILE)).exists();
      assertThat(data.resolve(KernelServices.LOG_FILE)).doesNotExist();
    }
  }

  @Test
  void aCallToAServiceWhoseDataCannotBeOpenedFailsUnavailableAndTheNextOneTriesAgain()
      throws Exception {
    Path data = dir.resolve("data");
    Files.writeString(data, "a file where the directory would be");
    try (KernelServices services = services(data)) {
      Client kv = kv(services);
      var get = GetRequest.newBuilder().setBucket("b").setKey("k").build();

      assertThat(kv.call("Get", get).error(Code.UNAVAILABLE))
          .startsWith("cannot open the kernel services' data in " + data);

      Files.delete(data);
      kv.call("Get", get).error(Code.NOT_FOUND);
    }
  }

  @Test
  void aServiceClosedBeforeItsFirstCallRefusesItWithoutOpeningAnything() {
    Path data = dir.resolve("data");
    KernelServices services = services(data);
    services.close();

    assertThat(
            kv(services)
                .call("Get", GetRequest.newBuilder().setBucket("b").setKey("k").build())
                .error(Code.UNAVAILABLE))
        .isEqualTo("parigot.kv.v1.KV is shutting down");
    assertThat(data).doesNotExist();
  }

  @Test
  void admittingAnAppThatRequiresKvOpensItsStoreAtOnce() {
    Path data = dir.resolve("data");
    try (KernelServices services = services(data)) {
      services.admit(requiring("parigot.kv.v1.KV"));

      assertThat(data.resolve(KernelServices.STORE_FILE)).exists();
    }
  }

  @Test
  void admittingAnAppThatRequiresAServiceWhoseDataCannotBeOpenedIsRefused() throws Exception {
    Path data = dir.resolve("data");
    Files.writeString(data, "a file where the directory would be");
    try (KernelServices services = services(data)) {
      assertThatThrownBy(() -> services.admit(requiring("parigot.log.v1.Log")))
          .isExactlyInstanceOf(ParigotException.class)
          .hasMessageStartingWith("cannot open the kernel services' data in " + data);
    }
  }
}
