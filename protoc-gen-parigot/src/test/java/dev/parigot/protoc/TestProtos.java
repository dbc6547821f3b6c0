package dev.parigot.protoc;

import com.google.protobuf.DescriptorProtos.FileDescriptorProto;
import com.google.protobuf.Descriptors.Descriptor;
import com.google.protobuf.Descriptors.FileDescriptor;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** The test protos under src/test/proto (tests run in the module's directory). */
final class TestProtos {
  static final Path ROOT = Path.of("src/test/proto");
  static final List<Path> ALL =
      List.of(
          ROOT.resolve("test/v1/common.proto"),
          ROOT.resolve("test/v1/everything.proto"),
          ROOT.resolve("hello/v1/greeter.proto"));
  static final Path GOLDEN = Path.of("src/test/golden");
  static final Path GOLDEN_AS = Path.of("src/test/golden-as/pg");

  private static Map<String, Descriptor> messages;

  private TestProtos() {}

  /** A message type of the test protos by full name, e.g. "test.v1.Everything". */
  static synchronized Descriptor message(String fullName) throws Exception {
    if (messages == null) {
      Map<String, FileDescriptor> files = new HashMap<>();
      messages = new HashMap<>();
      for (FileDescriptorProto p :
          Protoc.descriptorSet(Protoc.locate(), ALL, List.of(ROOT)).getFileList()) {
        FileDescriptor[] deps =
            p.getDependencyList().stream().map(files::get).toArray(FileDescriptor[]::new);
        FileDescriptor f = FileDescriptor.buildFrom(p, deps);
        files.put(p.getName(), f);
        for (Descriptor d : f.getMessageTypes()) {
          messages.put(d.getFullName(), d);
        }
      }
    }
    return messages.get(fullName);
  }
}
