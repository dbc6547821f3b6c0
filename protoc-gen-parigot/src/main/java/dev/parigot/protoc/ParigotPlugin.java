package dev.parigot.protoc;

import com.google.protobuf.DescriptorProtos.FileDescriptorProto;
import com.google.protobuf.Descriptors.DescriptorValidationException;
import com.google.protobuf.Descriptors.FileDescriptor;
import com.google.protobuf.compiler.PluginProtos.CodeGeneratorRequest;
import com.google.protobuf.compiler.PluginProtos.CodeGeneratorResponse;
import java.io.IOException;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/**
 * protoc-gen-parigot: generates C for Parigot guests ({@code x.pg.h} and {@code x.pg.c} per {@code
 * x.proto}), or AssemblyScript ({@code x.ts}) with the plugin parameter {@code lang=as}. {@link
 * #generate} is the whole plugin as a pure function; {@link #main} speaks protoc's plugin protocol
 * on stdin and stdout.
 */
public final class ParigotPlugin {
  private ParigotPlugin() {}

  /**
   * Generates the C files for every file in {@code request.getFileToGenerateList()}. An input the
   * generator does not support (client streaming, groups, explicit defaults) yields a response
   * whose {@code error} names the file and element; it never throws for bad input.
   */
  public static CodeGeneratorResponse generate(CodeGeneratorRequest request) {
    String parameter = request.getParameter();
    Optional<Lang> lang =
        parameter.isEmpty()
            ? Optional.of(Lang.C)
            : parameter.startsWith("lang=")
                ? Lang.of(parameter.substring("lang=".length()))
                : Optional.empty();
    if (lang.isEmpty()) {
      return CodeGeneratorResponse.newBuilder()
          .setError("unknown parameter " + parameter + "; expected lang=c or lang=as")
          .build();
    }
    return generate(request, lang.get());
  }

  /** As {@link #generate(CodeGeneratorRequest)}, in the language given. */
  public static CodeGeneratorResponse generate(CodeGeneratorRequest request, Lang lang) {
    CodeGeneratorResponse.Builder response =
        CodeGeneratorResponse.newBuilder()
            .setSupportedFeatures(CodeGeneratorResponse.Feature.FEATURE_PROTO3_OPTIONAL_VALUE);
    try {
      Map<String, FileDescriptor> files = build(request);
      for (String name : request.getFileToGenerateList()) {
        FileDescriptor file = files.get(name);
        if (file == null) {
          return response.setError(name + ": not among the request's proto files").build();
        }
        for (String[] out : lang.generate(file)) {
          response.addFile(
              CodeGeneratorResponse.File.newBuilder().setName(out[0]).setContent(out[1]));
        }
      }
    } catch (Refused e) {
      return response.clearFile().setError(e.getMessage()).build();
    } catch (DescriptorValidationException e) {
      return response.clearFile().setError(e.getMessage()).build();
    }
    return response.build();
  }

  /** Links the request's files; protoc lists every file after its dependencies. */
  private static Map<String, FileDescriptor> build(CodeGeneratorRequest request)
      throws DescriptorValidationException {
    Map<String, FileDescriptor> files = new HashMap<>();
    for (FileDescriptorProto proto : request.getProtoFileList()) {
      FileDescriptor[] deps = new FileDescriptor[proto.getDependencyCount()];
      for (int i = 0; i < deps.length; i++) {
        deps[i] = files.get(proto.getDependency(i));
        if (deps[i] == null) {
          throw new Refused(
              proto.getName() + ": dependency " + proto.getDependency(i) + " is missing");
        }
      }
      files.put(proto.getName(), FileDescriptor.buildFrom(proto, deps));
    }
    return files;
  }

  /** Runs as a protoc plugin: a CodeGeneratorRequest on stdin, the response on stdout. */
  public static void main(String[] args) throws IOException {
    CodeGeneratorRequest request = CodeGeneratorRequest.parseFrom(System.in);
    generate(request).writeTo(System.out);
    System.out.flush();
  }
}
