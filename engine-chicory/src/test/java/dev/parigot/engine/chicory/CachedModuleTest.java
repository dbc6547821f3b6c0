package dev.parigot.engine.chicory;

import static org.assertj.core.api.Assertions.assertThat;

import com.dylibso.chicory.compiler.InterpreterFallback;
import com.dylibso.chicory.compiler.internal.Compiler;
import com.dylibso.chicory.wasm.Parser;
import com.dylibso.chicory.wasm.types.FunctionBody;
import com.dylibso.chicory.wasm.types.OpCode;
import com.dylibso.chicory.wasm.types.RawSection;
import com.dylibso.chicory.wasm.types.SectionId;
import dev.parigot.engine.spi.ModuleCache;
import java.io.IOException;
import java.lang.classfile.Attributes;
import java.lang.classfile.ClassFile;
import java.lang.classfile.instruction.InvokeDynamicInstruction;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The engine with a module cache: what one engine compiled, another loads without compiling, with
 * exactly the classes the compile made; a damaged entry or an unusable directory only costs a
 * compile.
 */
class CachedModuleTest {
  private static final long MIB = 1 << 20;

  @TempDir Path dir;

  @Test
  void aModuleOneEngineCompiledIsLoadedFromTheCacheByAnother() throws IOException {
    var cache = ModuleCache.at(dir, 64 * MIB);
    byte[] hello = Corpus.module("wasi-hello");

    LoadedModule compiled = new ModuleLoader(Optional.of(cache)).load("a.wasm", hello);
    LoadedModule cached = new ModuleLoader(Optional.of(cache)).load("b.wasm", hello);

    assertThat(entries()).hasSize(1);
    assertThat(fromCache(compiled)).isFalse();
    assertThat(fromCache(cached)).isTrue();
    assertThat(cached.label()).isEqualTo("b.wasm");
    assertThat(cached.digest()).isEqualTo(compiled.digest());
    assertThat(cached.entries()).isEqualTo(compiled.entries());
    assertThat(cached.initialPages()).isEqualTo(compiled.initialPages());
  }

  @Test
  void theCacheKeepsTheClassesExactlyAsCompiledPollIncluded() throws Exception {
    var cache = ModuleCache.at(dir, 64 * MIB);
    byte[] echo = Corpus.module("echo");
    new ModuleLoader(Optional.of(cache)).load("echo.wasm", echo);

    ModuleEntry entry =
        cache
            .read(CacheKey.of(sha256(echo)).orElseThrow())
            .flatMap(ModuleEntry::decode)
            .orElseThrow();

    Map<String, byte[]> compiledAgain = new TreeMap<>();
    var classes =
        (PreemptibleClasses)
            Compiler.builder(Parser.parse(echo))
                .withInterpreterFallback(InterpreterFallback.SILENT)
                .withClassCollectorFactory(PreemptibleClasses::new)
                .build()
                .compile()
                .collector();
    classes.classBytes().forEach((name, bytes) -> compiledAgain.put(name.replace('/', '.'), bytes));
    assertThat(entry.classes().keySet())
        .containsExactlyInAnyOrderElementsOf(compiledAgain.keySet());
    entry
        .classes()
        .forEach((name, bytes) -> assertThat(bytes).as(name).isEqualTo(compiledAgain.get(name)));
    assertThat(entry.mainClass()).isEqualTo(classes.mainClassName().replace('/', '.'));
    assertThat(entry.classes().values()).anySatisfy(bytes -> assertThat(polls(bytes)).isTrue());
  }

  @Test
  void aDamagedEntryIsCompiledAgainAndReplaced() throws IOException {
    var cache = ModuleCache.at(dir, 64 * MIB);
    byte[] echo = Corpus.module("echo");
    new ModuleLoader(Optional.of(cache)).load("echo.wasm", echo);
    Path entry = entries().getFirst();
    byte[] damaged = Files.readAllBytes(entry);
    damaged[damaged.length / 2] ^= 0x10;
    Files.write(entry, damaged);

    LoadedModule again = new ModuleLoader(Optional.of(cache)).load("echo.wasm", echo);
    LoadedModule after = new ModuleLoader(Optional.of(cache)).load("echo.wasm", echo);

    assertThat(fromCache(again)).as("the damaged entry was not loaded").isFalse();
    assertThat(fromCache(after)).as("the recompiled entry replaced it").isTrue();
  }

  @Test
  void twoEnginesFillingOneEntryAtOnceBothGetTheModuleAndLeaveOneWholeEntry() throws Exception {
    byte[] hello = Corpus.module("wasi-hello");
    int engines = 2;
    var start = new CyclicBarrier(engines);
    ExecutorService pool = Executors.newFixedThreadPool(engines);
    List<Future<LoadedModule>> loads = new ArrayList<>();
    try {
      for (int i = 0; i < engines; i++) {
        var loader = new ModuleLoader(Optional.of(ModuleCache.at(dir, 64 * MIB)));
        loads.add(
            pool.submit(() -> {
              start.await();
              return loader.load("hello.wasm", hello);
            }));
      }
      for (Future<LoadedModule> load : loads) {
        assertThat(load.get().entries()).contains("_start");
      }
    } finally {
      pool.shutdownNow();
    }

    assertThat(entries()).hasSize(1);
    LoadedModule later =
        new ModuleLoader(Optional.of(ModuleCache.at(dir, 64 * MIB))).load("hello.wasm", hello);
    assertThat(fromCache(later)).isTrue();
  }

  @Test
  void aCacheDirectoryThatCannotBeWrittenOnlyMeansCompilingEachTime() throws IOException {
    Path file = Files.writeString(dir.resolve("file"), "in the way");
    var cache = ModuleCache.at(file.resolve("cache"), 64 * MIB);
    byte[] echo = Corpus.module("echo");

    LoadedModule first = new ModuleLoader(Optional.of(cache)).load("echo.wasm", echo);
    LoadedModule second = new ModuleLoader(Optional.of(cache)).load("echo.wasm", echo);

    assertThat(first.entries()).isEqualTo(second.entries());
    assertThat(fromCache(second)).isFalse();
  }

  @Test
  void theStrippedModuleKeepsEverySectionButTheBodiesOfCompiledFunctions() {
    // echo, with a custom section such as a name section after its own.
    byte[] echo = Corpus.module("echo");
    byte[] custom = {0, 9, 4, 'n', 'o', 't', 'e', 1, 2, 3, 4};
    byte[] wasm = java.util.Arrays.copyOf(echo, echo.length + custom.length);
    System.arraycopy(custom, 0, wasm, echo.length, custom.length);
    var whole = Parser.parse(wasm);
    int imported = whole.importSection().importCount();
    int interpreted = imported + 1;

    byte[] strippedBytes = StrippedModule.of(wasm, imported, java.util.Set.of(interpreted));

    List<RawSection> before = sections(wasm);
    List<RawSection> after = sections(strippedBytes);
    assertThat(after)
        .extracting(RawSection::sectionId)
        .containsExactlyElementsOf(before.stream().map(RawSection::sectionId).toList());
    for (int i = 0; i < before.size(); i++) {
      if (before.get(i).sectionId() != SectionId.CODE) {
        assertThat(after.get(i).contents()).isEqualTo(before.get(i).contents());
      }
    }
    var stripped = Parser.parse(strippedBytes);
    int bodies = whole.codeSection().functionBodyCount();
    assertThat(bodies).isGreaterThan(1);
    assertThat(stripped.codeSection().functionBodyCount()).isEqualTo(bodies);
    for (int i = 0; i < bodies; i++) {
      var body = stripped.codeSection().getFunctionBody(i);
      if (imported + i == interpreted) {
        assertThat(code(body)).isEqualTo(code(whole.codeSection().getFunctionBody(i)));
      } else {
        assertThat(code(body)).containsExactly("UNREACHABLE[]", "END[]");
      }
    }
  }

  @Test
  void theKeyNamesTheModuleAndWhatItsCodeDependsOn() {
    String key = CacheKey.of("ab12").orElseThrow();

    assertThat(key)
        .endsWith("; module ab12")
        .containsPattern("engine [0-9a-f]{64}")
        .contains("chicory " + ChicoryEngine.chicoryVersion())
        .containsPattern("asm [0-9a-f]{64}")
        .contains("java " + Runtime.version().feature())
        .contains("abi " + dev.parigot.abi.Abi.VERSION)
        .contains(CacheKey.COMPILE_OPTIONS)
        .contains("parigot compiled module " + ModuleEntry.FORMAT);
  }

  @Test
  void theKeysAsmPartIsTheDigestOfTheClassWriterTheCompilerUses() throws Exception {
    byte[] classFile;
    try (var in = org.objectweb.asm.ClassWriter.class.getResourceAsStream("ClassWriter.class")) {
      classFile = in.readAllBytes();
    }

    assertThat(CacheKey.classDigest(CacheKey.ASM_CLASS_WRITER)).isEqualTo(sha256(classFile));
    assertThat(CacheKey.of("ab12").orElseThrow()).contains("asm " + sha256(classFile));
  }

  @Test
  void aJarsDigestChangesWithAnyClassInItButNotWithWhenItWasBuilt() throws IOException {
    Path built = jar("built.jar", 1_000_000_000_000L, "a/A.class", "AAAA", "a/B.class", "BBBB");
    Path rebuilt = jar("rebuilt.jar", 1_700_000_000_000L, "a/A.class", "AAAA", "a/B.class", "BBBB");
    Path changed = jar("changed.jar", 1_000_000_000_000L, "a/A.class", "AAAA", "a/B.class", "BBBC");
    Path renamed = jar("renamed.jar", 1_000_000_000_000L, "a/A.class", "AAAA", "a/C.class", "BBBB");
    Path added =
        jar(
            "added.jar",
            1_000_000_000_000L,
            "a/A.class",
            "AAAA",
            "a/B.class",
            "BBBB",
            "a/D.class",
            "");

    String digest = CacheKey.codeDigest(built);

    assertThat(digest).matches("[0-9a-f]{64}");
    assertThat(CacheKey.codeDigest(rebuilt)).isEqualTo(digest);
    assertThat(List.of(changed, renamed, added))
        .allSatisfy(jar -> assertThat(CacheKey.codeDigest(jar)).isNotEqualTo(digest));
  }

  @Test
  void aClassDirectorysDigestChangesWithAnyFileInIt() throws IOException {
    Path classes = Files.createDirectories(dir.resolve("classes/a"));
    Files.writeString(classes.resolve("A.class"), "AAAA");
    String before = CacheKey.codeDigest(dir.resolve("classes"));

    Files.writeString(classes.resolve("A.class"), "AAAB");

    assertThat(CacheKey.codeDigest(dir.resolve("classes"))).isNotEqualTo(before);
  }

  /**
   * A jar of {@code namesAndContents} (name, text, name, text...), each entry dated {@code time}.
   */
  private Path jar(String name, long time, String... namesAndContents) throws IOException {
    Path file = dir.resolve(name);
    try (var out = new java.util.jar.JarOutputStream(Files.newOutputStream(file))) {
      for (int i = 0; i < namesAndContents.length; i += 2) {
        var entry = new java.util.jar.JarEntry(namesAndContents[i]);
        entry.setTime(time);
        out.putNextEntry(entry);
        out.write(namesAndContents[i + 1].getBytes(java.nio.charset.StandardCharsets.UTF_8));
        out.closeEntry();
      }
    }
    return file;
  }

  private static List<RawSection> sections(byte[] wasm) {
    List<RawSection> sections = new ArrayList<>();
    Parser.parseWithoutDecoding(wasm, section -> sections.add((RawSection) section));
    return sections;
  }

  /** A body's instructions, without the addresses that differ between the modules. */
  private static List<String> code(FunctionBody body) {
    return body.instructions().stream()
        .map(i -> i.opcode() + java.util.Arrays.toString(i.operands()))
        .toList();
  }

  /** Whether a module was loaded from an entry: its compiled functions have no body then. */
  private static boolean fromCache(LoadedModule module) {
    var code = module.module().codeSection();
    for (int i = 0; i < code.functionBodyCount(); i++) {
      var first = code.getFunctionBody(i).instructions().getFirst();
      if (first.opcode() != OpCode.UNREACHABLE
          || code.getFunctionBody(i).instructions().size() > 2) {
        return false;
      }
    }
    return true;
  }

  /** Whether a class file polls through the invokedynamic the engine's rewrite puts in. */
  private static boolean polls(byte[] classFile) {
    return ClassFile.of().parse(classFile).methods().stream()
        .filter(m -> m.methodName().equalsString(PreemptibleClasses.CHECK_METHOD))
        .flatMap(m -> m.findAttribute(Attributes.code()).stream())
        .flatMap(code -> code.elementStream())
        .anyMatch(e -> e instanceof InvokeDynamicInstruction i && i.name().equalsString("poll"));
  }

  private List<Path> entries() throws IOException {
    try (Stream<Path> files = Files.list(dir)) {
      return files.filter(f -> f.getFileName().toString().endsWith(".module")).toList();
    }
  }

  private static String sha256(byte[] bytes) throws Exception {
    return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
  }
}
