package dev.parigot.protoc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.DescriptorProtos.FileDescriptorProto;
import com.google.protobuf.Descriptors.EnumDescriptor;
import com.google.protobuf.Descriptors.FileDescriptor;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The C SDK's committed parigot_status.h is what StatusHeader makes of the kernel's status.proto.
 * Run with {@code -Dgolden.update=true} to rewrite it.
 */
class StatusHeaderTest {
  private static final Path PROTO_ROOT = Path.of("../proto");
  private static final Path HEADER = Path.of("../sdk/c/include/parigot_status.h");

  @Test
  void theCommittedHeaderIsGeneratedFromStatusProto() throws Exception {
    String generated = StatusHeader.generate(code());
    if (Boolean.getBoolean("golden.update")) {
      Files.writeString(HEADER, generated);
    }
    assertThat(HEADER).as("run with -Dgolden.update=true to rewrite it").exists();
    assertThat(Files.readString(HEADER)).isEqualTo(generated);
  }

  @Test
  void everyCodeOfStatusProtoHasAConstantBelowTheApplicationRange() throws Exception {
    EnumDescriptor code = code();
    String header = StatusHeader.generate(code);
    for (var v : code.getValues()) {
      if (v.getNumber() != 0) {
        assertThat(header)
            .contains("#define PG_STATUS_" + v.getName() + " " + v.getNumber() + "\n");
        assertThat(v.getNumber()).as(v.getName()).isBetween(1, 999);
      }
    }
    assertThat(header).contains("#define PG_APP_CODE_MIN 1000\n").doesNotContain("UNSPECIFIED");
  }

  @Test
  void anotherEnumIsRefused() throws Exception {
    EnumDescriptor kind =
        compile("parigot/kv/v1/kv.proto").findMessageTypeByName("Change").getEnumTypes().get(0);
    assertThatThrownBy(() -> StatusHeader.generate(kind))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("parigot.kv.v1.Change.Kind");
  }

  private static EnumDescriptor code() throws Exception {
    return compile("parigot/status/v1/status.proto").findEnumTypeByName("Code");
  }

  private static FileDescriptor compile(String name) throws Exception {
    List<FileDescriptorProto> files =
        Protoc.descriptorSet(
                Protoc.locate(), List.of(PROTO_ROOT.resolve(name)), List.of(PROTO_ROOT))
            .getFileList();
    assertThat(files).hasSize(1);
    return FileDescriptor.buildFrom(files.get(0), new FileDescriptor[0]);
  }
}
