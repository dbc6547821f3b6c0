package dev.parigot.abi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.parigot.abi.AbiGenerator.Spec;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The generated Java API says what abi/abi.toml says. */
class AbiSpecTest {
  private static Spec spec;

  @BeforeAll
  static void parseAbiToml() throws IOException {
    Path toml = GeneratedFilesAreFreshTest.repoRoot().resolve(AbiGenerator.SOURCE);
    spec = AbiGenerator.parse(Files.readString(toml));
  }

  @Test
  void versionAndImportModuleAreTheTomlOnes() {
    assertThat(Abi.VERSION).isEqualTo(spec.version()).isEqualTo(1);
    assertThat(Abi.IMPORT_MODULE).isEqualTo(spec.importModule()).isEqualTo("parigot");
  }

  @Test
  void constantsHaveTheirTomlValues() {
    assertThat(Abi.REPLY_PARTIAL).isZero();
    assertThat(Abi.REPLY_END).isEqualTo(1);
    assertThat(Abi.TIMEOUT_DEFAULT).isEqualTo(-1);
    assertThat(Abi.TIMEOUT_NONE).isZero();
    assertThat(Abi.MAX_EVENTS).isEqualTo(1024);
    assertThat(Abi.MAX_NAME_LEN).isEqualTo(255);
    assertThat(Abi.EXIT_KILLED).isEqualTo(1);
    assertThat(spec.constants()).hasSize(7);
  }

  @Test
  void errnosAreTheTomlOnesInValueOrder() {
    assertThat(Stream.of(Errno.values()).map(e -> e.name() + "=" + e.value()).toList())
        .isEqualTo(
            spec.errnos().stream()
                .sorted((a, b) -> Integer.compare(a.value(), b.value()))
                .map(e -> e.name() + "=" + e.value())
                .toList());
    for (AbiGenerator.Entry e : spec.errnos()) {
      assertThat(Errno.valueOf(e.name()).description()).isEqualTo(e.doc());
    }
  }

  @Test
  void everyErrnoIsPositiveAndRoundTripsThroughFromValue() {
    for (Errno e : Errno.values()) {
      assertThat(e.value()).isPositive();
      assertThat(e.negative()).isEqualTo(-e.value());
      assertThat(Errno.fromValue(e.value())).contains(e);
    }
  }

  @Test
  void fromValueTakesThePositiveNumberOnly() {
    assertThat(Errno.fromValue(Errno.BAD_HANDLE.negative())).isEmpty();
    assertThat(Errno.fromValue(0)).isEmpty();
    assertThat(EventKind.fromValue(0)).isEmpty();
  }

  @Test
  void eventKindsAreTheTomlOnesAndRoundTripThroughFromValue() {
    assertThat(Stream.of(EventKind.values()).map(Enum::name))
        .containsExactly("PARTIAL", "END", "ERROR", "CALL", "CANCEL", "MESSAGE", "EXIT");
    for (AbiGenerator.Entry k : spec.kinds()) {
      EventKind kind = EventKind.valueOf(k.name());
      assertThat(kind.value()).isEqualTo(k.value());
      assertThat(kind.description()).isEqualTo(k.doc());
      assertThat(EventKind.fromValue(k.value())).contains(kind);
    }
  }

  @Test
  void eventFieldsTileTheThirtyTwoByteRecordWithoutOverlap() {
    // Offset to size; a repeated offset would already fail in Map.of.
    Map<Integer, Integer> fields =
        Map.of(
            EventLayout.KIND, 4,
            EventLayout.HANDLE, 4,
            EventLayout.CODE, 4,
            EventLayout.SERVICE, 4,
            EventLayout.PAYLOAD_OFFSET, 4,
            EventLayout.PAYLOAD_LEN, 4,
            EventLayout.RESERVED, 8);
    int end = 0;
    for (int offset : fields.keySet().stream().sorted().toList()) {
      assertThat(offset).as("next field's offset").isEqualTo(end);
      end = offset + fields.get(offset);
    }
    assertThat(end).isEqualTo(EventLayout.SIZE).isEqualTo(32);
    assertThat(fields).hasSameSizeAs(spec.fields());
  }

  @Test
  void syscallsAreTheTomlOnesInTomlOrder() {
    assertThat(Stream.of(Syscall.values()).map(Syscall::importName).toList())
        .isEqualTo(spec.syscalls().stream().map(AbiGenerator.Call::name).toList())
        .containsExactly(
            "locate", "export", "call", "wait", "reply", "fail", "cancel", "spawn", "send", "exit");
    for (AbiGenerator.Call c : spec.syscalls()) {
      Syscall s = Syscall.valueOf(c.name().toUpperCase(Locale.ROOT));
      assertThat(s.paramNames())
          .isEqualTo(c.params().stream().map(AbiGenerator.Param::name).toList());
      assertThat(s.errors().stream().map(Errno::name).toList()).isEqualTo(c.errors());
      assertThat(s.description()).isEqualTo(c.doc());
    }
  }

  @Test
  void callTakesFourI32sAndAnI64TimeoutAndReturnsAnI32() {
    assertThat(Syscall.CALL.params())
        .containsExactly(ValueType.I32, ValueType.I32, ValueType.I32, ValueType.I32, ValueType.I64);
    assertThat(Syscall.CALL.paramNames())
        .containsExactly("service", "method", "req_ptr", "req_len", "timeout_ms");
    assertThat(Syscall.CALL.results()).containsExactly(ValueType.I32);
  }

  @Test
  void exitTakesACodeAndReturnsNothing() {
    assertThat(Syscall.EXIT.params()).containsExactly(ValueType.I32);
    assertThat(Syscall.EXIT.results()).isEmpty();
    assertThat(Syscall.EXIT.errors()).isEmpty();
  }

  @Test
  void everyOtherSyscallReturnsOneI32() {
    List<Syscall> returning = new ArrayList<>(List.of(Syscall.values()));
    returning.remove(Syscall.EXIT);
    assertThat(returning).allSatisfy(s -> assertThat(s.results()).containsExactly(ValueType.I32));
  }

  @Test
  void syscallListsAreImmutable() {
    assertThatThrownBy(() -> Syscall.CALL.params().add(ValueType.I32))
        .isInstanceOf(UnsupportedOperationException.class);
    assertThatThrownBy(() -> Syscall.CALL.errors().clear())
        .isInstanceOf(UnsupportedOperationException.class);
  }
}
