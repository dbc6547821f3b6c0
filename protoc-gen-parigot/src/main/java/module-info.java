/** protoc-gen-parigot: C code generation for guests from .proto files. */
module dev.parigot.protoc {
  requires com.google.protobuf;

  exports dev.parigot.protoc;
}
