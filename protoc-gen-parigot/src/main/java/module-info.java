/** protoc-gen-parigot: C code generation for guests from .proto files. */
module dev.parigot.protoc {
  requires com.google.protobuf;
  requires transitive dev.parigot.errors;

  exports dev.parigot.protoc;
}
