package dev.parigot.protoc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.DescriptorProtos.DescriptorProto;
import com.google.protobuf.DescriptorProtos.FileDescriptorProto;
import com.google.protobuf.DescriptorProtos.MethodDescriptorProto;
import com.google.protobuf.DescriptorProtos.ServiceDescriptorProto;
import com.google.protobuf.compiler.PluginProtos.CodeGeneratorRequest;
import com.google.protobuf.compiler.PluginProtos.CodeGeneratorResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The plugin as protoc sees it: a pure function from request to response. */
class PluginTest {
  private static FileDescriptorProto chat(boolean clientStreaming) {
    return FileDescriptorProto.newBuilder()
        .setName("chat/v1/chat.proto")
        .setPackage("chat.v1")
        .setSyntax("proto3")
        .addMessageType(DescriptorProto.newBuilder().setName("Line"))
        .addService(
            ServiceDescriptorProto.newBuilder()
                .setName("Chat")
                .addMethod(
                    MethodDescriptorProto.newBuilder()
                        .setName("Talk")
                        .setInputType(".chat.v1.Line")
                        .setOutputType(".chat.v1.Line")
                        .setClientStreaming(clientStreaming)))
        .build();
  }

  private static CodeGeneratorResponse generate(FileDescriptorProto file) {
    return ParigotPlugin.generate(
        CodeGeneratorRequest.newBuilder()
            .addProtoFile(file)
            .addFileToGenerate(file.getName())
            .build());
  }

  @Test
  void generatesAHeaderAndASourcePerProtoAndDeclaresProto3Optional() {
    CodeGeneratorResponse r = generate(chat(false));

    assertThat(r.hasError()).as(r.getError()).isFalse();
    assertThat(r.getFileList())
        .extracting(CodeGeneratorResponse.File::getName)
        .containsExactly("chat/v1/chat.pg.h", "chat/v1/chat.pg.c");
    assertThat(r.getFile(0).getContent())
        .contains(
            "#define chat_v1_Chat_NAME \"chat.v1.Chat\"", "#define chat_v1_Chat_Talk_METHOD 1");
    assertThat(
            r.getSupportedFeatures() & CodeGeneratorResponse.Feature.FEATURE_PROTO3_OPTIONAL_VALUE)
        .isNotZero();
  }

  @Test
  void refusesClientStreamingWithAnErrorNotCode() {
    CodeGeneratorResponse r = generate(chat(true));

    assertThat(r.getError())
        .isEqualTo(
            "chat/v1/chat.proto: chat.v1.Chat.Talk: client streaming is not supported in ABI v1");
    assertThat(r.getFileList()).isEmpty();
  }

  @Test
  void parigotGenReportsProtocsOwnMessage(@TempDir Path dir) throws Exception {
    Path bad = dir.resolve("bad.proto");
    Files.writeString(bad, "syntax = \"proto3\";\nmessage {\n");

    assertThatThrownBy(() -> ParigotGen.generate(List.of(bad), List.of(dir), dir.resolve("out")))
        .isInstanceOf(ParigotGen.GenerationException.class)
        .hasMessageContaining("bad.proto:2");
  }

  @Test
  void parigotGenReportsThePluginsRefusal(@TempDir Path dir) throws Exception {
    Path proto = dir.resolve("chat.proto");
    Files.writeString(
        proto,
        """
        syntax = "proto3";
        package chat.v1;
        message Line {}
        service Chat { rpc Talk(stream Line) returns (Line); }
        """);

    assertThatThrownBy(() -> ParigotGen.generate(List.of(proto), List.of(dir), dir.resolve("out")))
        .hasMessage("chat.proto: chat.v1.Chat.Talk: client streaming is not supported in ABI v1");
  }
}
