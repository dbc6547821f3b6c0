package dev.parigot.abi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.lang.reflect.Method;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.spi.ToolProvider;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What the generator accepts, what it rejects and how it says so, and what it writes. */
class AbiGeneratorTest {
  /** A small but complete ABI; each rejection test breaks one thing in it. */
  private static final String VALID =
      """
      version = 1
      import_module = "parigot"

      [event]
      size = 16

      [[event.field]]
      name = "kind"
      offset = 0
      type = "u32"
      doc = "What happened."

      [[event.field]]
      name = "handle"
      offset = 4
      type = "i32"
      doc = "Whose event it is."

      [[event.field]]
      name = "reserved"
      offset = 8
      type = "u64"
      doc = "Zero."

      [[event_kind]]
      name = "END"
      value = 1
      doc = "Done."

      [[errno]]
      name = "BAD_HANDLE"
      value = 1
      doc = "Not a handle."

      [[errno]]
      name = "TIMED_OUT"
      value = 2
      doc = "Too late."

      [[syscall]]
      name = "cancel"
      params = [["handle", "i32"]]
      result = "i32"
      errors = ["BAD_HANDLE"]
      doc = "Cancels."

      [[syscall]]
      name = "exit"
      params = [["code", "i32"]]
      doc = "Ends."

      [[constant]]
      name = "MAX_EVENTS"
      value = 4
      doc = "At most."
      """;

  @Test
  void acceptsAValidAbi() {
    AbiGenerator.Spec spec = AbiGenerator.parse(VALID);

    assertThat(spec.eventSize()).isEqualTo(16);
    assertThat(spec.errnos())
        .extracting(AbiGenerator.Entry::name)
        .containsExactly("BAD_HANDLE", "TIMED_OUT");
    assertThat(spec.syscalls().get(1).result()).isEmpty();
    assertThat(spec.syscalls().get(1).errors()).isEmpty();
  }

  @Test
  void rejectsTextThatIsNotToml() {
    assertRejected(VALID.replace("version = 1", "version = "), "abi.toml: line 1, column");
  }

  @Test
  void rejectsAMissingKey() {
    assertRejected(VALID.replace("doc = \"Cancels.\"", ""), "syscall[0]: missing key 'doc'");
  }

  @Test
  void rejectsAKeyOfTheWrongType() {
    assertRejected(
        VALID.replace("offset = 4", "offset = \"4\""),
        "event.field[1].offset: expected an integer, found a string");
  }

  @Test
  void rejectsAnUnknownKeySoThatTyposAreNotIgnored() {
    assertRejected(VALID.replace("errors = ", "erors = "), "syscall[0]: unknown key 'erors'");
  }

  @Test
  void rejectsADuplicateErrnoValue() {
    assertRejected(
        VALID.replace("value = 2", "value = 1"),
        "errno TIMED_OUT: value 1 is already used by BAD_HANDLE");
  }

  @Test
  void rejectsADuplicateErrnoName() {
    assertRejected(
        VALID.replace("name = \"TIMED_OUT\"", "name = \"BAD_HANDLE\""),
        "errno name BAD_HANDLE is used twice");
  }

  @Test
  void rejectsAnUnknownErrnoInASyscallsErrors() {
    assertRejected(
        VALID.replace("errors = [\"BAD_HANDLE\"]", "errors = [\"BAD_HANDLE\", \"NO_SUCH_ERRNO\"]"),
        "syscall cancel: unknown errno 'NO_SUCH_ERRNO' in errors");
  }

  @Test
  void rejectsOverlappingEventFields() {
    assertRejected(
        VALID.replace("type = \"u32\"", "type = \"u64\""),
        "event field handle (bytes 4..8) overlaps field kind (bytes 0..8)");
  }

  @Test
  void rejectsAGapBetweenEventFields() {
    assertRejected(
        VALID.replace("offset = 8", "offset = 16").replace("size = 16", "size = 24"),
        "event fields: bytes 8..16 are not covered by any field");
  }

  @Test
  void rejectsAnEventFieldPastTheRecordSize() {
    assertRejected(
        VALID.replace("size = 16", "size = 12"),
        "event field reserved: ends at byte 16, past event.size 12");
  }

  @Test
  void rejectsAMisalignedEventField() {
    assertRejected(
        VALID
            .replace("offset = 8", "offset = 12")
            .replace("size = 16", "size = 20")
            .replace(
                "[[event_kind]]",
                """
                [[event.field]]
                name = "more"
                offset = 8
                type = "u32"
                doc = "More."

                [[event_kind]]\
                """),
        "event field reserved: offset 12 is not a multiple of its size 8");
  }

  @Test
  void rejectsAnUnknownFieldType() {
    assertRejected(
        VALID.replace("type = \"u32\"", "type = \"u16\""),
        "event.field[0].type: must be one of u32, i32, u64, not 'u16'");
  }

  @Test
  void rejectsParamTypesOtherThanI32AndI64() {
    assertRejected(
        VALID.replace("[\"handle\", \"i32\"]", "[\"handle\", \"f32\"]"),
        "syscall cancel: parameter handle has type 'f32'; params must be i32 or i64");
  }

  @Test
  void rejectsAResultOtherThanI32() {
    assertRejected(
        VALID.replace("result = \"i32\"", "result = \"i64\""),
        "syscall[0].result: must be i32 or absent, not 'i64'");
  }

  @Test
  void rejectsNamesInTheWrongCase() {
    assertRejected(
        VALID.replace("name = \"cancel\"", "name = \"Cancel\""),
        "syscall[0].name: 'Cancel' is not lower_snake_case");
    assertRejected(
        VALID.replace("name = \"TIMED_OUT\"", "name = \"timed_out\""),
        "errno[1].name: 'timed_out' is not UPPER_SNAKE_CASE");
  }

  @Test
  void rejectsAConstantThatWouldClashWithAGeneratedName() {
    assertRejected(
        VALID.replace("name = \"MAX_EVENTS\"", "name = \"VERSION\""),
        "constant VERSION: the name clashes with a generated name");
  }

  @Test
  void rendersTheSameTextEveryTime() {
    assertThat(AbiGenerator.generate(VALID)).isEqualTo(AbiGenerator.generate(VALID));
  }

  @Test
  void everyGeneratedFileStartsWithTheDoNotEditLine() throws IOException {
    for (String text : generatedFromRepo().values()) {
      assertThat(text).startsWith(AbiGenerator.HEADER + "\n");
    }
  }

  @Test
  void generatedJavaStaysWithinOneHundredColumns() throws IOException {
    generatedFromRepo()
        .forEach((path, text) -> {
          if (path.toString().endsWith(".java")) {
            assertThat(text.lines())
                .as(path.toString())
                .allSatisfy(line -> assertThat(line).hasSizeLessThanOrEqualTo(100));
          }
        });
  }

  @Test
  void theCHeaderDeclaresEachSyscallAsAWasmImport() throws IOException {
    String header = generatedFromRepo().get(AbiGenerator.C_HEADER);

    assertThat(header)
        .contains(
            "__attribute__((import_module(\"parigot\"), import_name(\"wait\")))\n"
                + "int32_t parigot_wait(parigot_event *events, int32_t max_events, void *buf,\n")
        .contains("int32_t parigot_locate(const void *name, int32_t name_len);")
        .contains("_Noreturn void parigot_exit(int32_t code);")
        .contains("#define PARIGOT_E_BAD_HANDLE 9\n")
        .contains("#define PARIGOT_TIMEOUT_DEFAULT (-1)\n")
        .contains("_Static_assert(offsetof(parigot_event, reserved) == 24,");
  }

  /**
   * Docs can hold anything: the generated Java must still compile, javadoc included, and give the
   * doc back unchanged.
   */
  @Test
  void docsWithSpecialCharactersAreEscaped(@TempDir Path dir) throws Exception {
    String doc = "Ends */ here; <b>bold</b> & {@code x} @param \"quoted\" \\u0041 C:\\dir ??/ /*";
    // A TOML literal string keeps every character as it is.
    String toml = VALID.replace("doc = \"Not a handle.\"", "doc = '" + doc + "'");
    Map<Path, String> files = AbiGenerator.generate(toml);

    List<String> sources = new ArrayList<>();
    for (Map.Entry<Path, String> file : files.entrySet()) {
      if (file.getKey().toString().endsWith(".java")) {
        Path source = dir.resolve("src").resolve(file.getKey().getFileName());
        Files.createDirectories(source.getParent());
        Files.writeString(source, file.getValue());
        sources.add(source.toString());
      }
    }
    Path classes = dir.resolve("classes");
    // java.util.spi rather than javax.tools: these tests are compiled into the abi module,
    // which does not read java.compiler.
    ToolProvider javac = ToolProvider.findFirst("javac").orElseThrow();
    StringWriter diagnostics = new StringWriter();
    List<String> args = new ArrayList<>(List.of("-Xlint:all", "-Xdoclint:all,-missing", "-Werror"));
    args.addAll(List.of("-d", classes.toString()));
    args.addAll(sources);
    PrintWriter out = new PrintWriter(diagnostics);
    int status = javac.run(out, out, args.toArray(String[]::new));
    assertThat(status).as(diagnostics.toString()).isZero();

    try (URLClassLoader loader =
        new URLClassLoader(
            new URL[] {classes.toUri().toURL()}, ClassLoader.getPlatformClassLoader())) {
      Class<?> errno = loader.loadClass("dev.parigot.abi.Errno");
      Object badHandle = errno.getMethod("valueOf", String.class).invoke(null, "BAD_HANDLE");
      Method description = errno.getMethod("description");
      assertThat(description.invoke(badHandle)).isEqualTo(doc);
    }
    // In C, comments must not end or nest and trigraphs must not form; literals are escaped.
    assertThat(files.get(AbiGenerator.C_HEADER))
        .contains(
            " * Ends * / here; <b>bold</b> & {@code x} @param \"quoted\" \\u0041 C:\\dir"
                + " ? ?/ / *\n")
        .contains(
            "return \"Ends */ here; <b>bold</b> & {@code x} @param \\\"quoted\\\" \\\\u0041\"\n"
                + "             \" C:\\\\dir ?\\?/ /*\";\n");
  }

  private static Map<Path, String> generatedFromRepo() throws IOException {
    Path toml = GeneratedFilesAreFreshTest.repoRoot().resolve(AbiGenerator.SOURCE);
    return AbiGenerator.generate(Files.readString(toml));
  }

  private static void assertRejected(String toml, String message) {
    assertThatThrownBy(() -> AbiGenerator.parse(toml))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining(message);
  }
}
