package dev.parigot.services;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.parigot.services.proto.LogProto.Field;
import dev.parigot.services.proto.LogProto.Level;
import dev.parigot.services.proto.LogProto.WriteRequest;
import dev.parigot.services.proto.LogProto.WriteResponse;
import dev.parigot.services.proto.StatusProto.Code;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LogTest {
  @TempDir Path dir;
  Services services;
  Client log;

  @BeforeEach
  void open() {
    services = new Services(dir);
    log = services.log();
  }

  @AfterEach
  void close() {
    services.close();
  }

  void write(Level level, String message, String... kv) {
    var b = WriteRequest.newBuilder().setLevel(level).setMessage(message);
    for (int i = 0; i < kv.length; i += 2) {
      b.addFields(Field.newBuilder().setKey(kv[i]).setValue(kv[i + 1]));
    }
    log.unary("Write", b.build(), WriteResponse.parser());
  }

  List<String> read(String level) {
    var lines = new ArrayList<String>();
    KernelServices.readLogs(dir, "app", 0, level, lines::add);
    return lines;
  }

  @Test
  void recordsAreShownTaggedWithTheCallingProcess() {
    write(Level.INFO, "started", "port", "8080");
    write(Level.ERROR, "disk full", "path", "/a b");
    assertThat(services.shown)
        .containsExactly(
            "main[7] INFO started port=8080", "main[7] ! ERROR disk full path=\"/a b\"");
  }

  @Test
  void debugRecordsAreStoredButNotShown() {
    write(Level.DEBUG, "detail");
    assertThat(services.shown).isEmpty();
    assertThat(read("debug")).singleElement().asString().endsWith(" main[7] DEBUG detail");
  }

  @Test
  void readingFiltersByLevelAndResumesAfterAnId() {
    write(Level.INFO, "one");
    write(Level.WARN, "two");
    assertThat(read("warn")).singleElement().asString().endsWith("WARN two");
    var lines = new ArrayList<String>();
    long last = KernelServices.readLogs(dir, "app", 0, "info", lines::add);
    write(Level.INFO, "three");
    lines.clear();
    assertThat(KernelServices.readLogs(dir, "app", last, "INFO", lines::add)).isGreaterThan(last);
    assertThat(lines).singleElement().asString().endsWith("INFO three");
  }

  @Test
  void readingShowsOnlyTheAppsOwnRecords() {
    write(Level.INFO, "mine");
    var lines = new ArrayList<String>();
    KernelServices.readLogs(dir, "other", 0, "debug", lines::add);
    assertThat(lines).isEmpty();
  }

  @Test
  void readingAnUnknownLevelIsRefused() {
    assertThatThrownBy(() -> KernelServices.readLogs(dir, "app", 0, "loud", s -> {}))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("loud");
  }

  @Test
  void aRecordWithoutALevelIsInvalid() {
    assertThat(
            log.call("Write", WriteRequest.newBuilder().setMessage("x").build())
                .error(Code.INVALID_ARGUMENT))
        .startsWith("level:");
  }

  @Test
  void anEmptyMessageIsInvalid() {
    assertThat(
            log.call("Write", WriteRequest.newBuilder().setLevel(Level.INFO).build())
                .error(Code.INVALID_ARGUMENT))
        .isEqualTo("message: required");
  }

  @Test
  void tooManyFieldsAreInvalid() {
    var b = WriteRequest.newBuilder().setLevel(Level.INFO).setMessage("m");
    for (int i = 0; i <= Logs.MAX_FIELDS; i++) {
      b.addFields(Field.newBuilder().setKey("k" + i).setValue("v"));
    }
    assertThat(log.call("Write", b.build()).error(Code.INVALID_ARGUMENT)).startsWith("fields:");
  }

  @Test
  void aBadFieldKeyIsInvalid() {
    var r =
        WriteRequest.newBuilder()
            .setLevel(Level.INFO)
            .setMessage("m")
            .addFields(Field.newBuilder().setKey("a=b").setValue("v"))
            .build();
    assertThat(log.call("Write", r).error(Code.INVALID_ARGUMENT)).startsWith("fields[0].key:");
  }
}
