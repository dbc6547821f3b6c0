package dev.parigot.kernel.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import dev.parigot.abi.Errno;
import dev.parigot.engine.chicory.ChicoryEngine;
import dev.parigot.errors.ModuleRefusedException;
import dev.parigot.kernel.App;
import dev.parigot.kernel.conformance.Probe;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * "Nothing a guest does can end the kernel or another process" (docs/abi.md, "Death"), tried with
 * random syscalls. Each case is one process of {@code iso-fuzz}, which makes one syscall with
 * arguments from its command line and exits with the result; before it, the process holds a service
 * handle (1), a channel (2) and a worker link (3). Every case must either return a value {@code >=
 * 0} or a known negative errno, or be killed for a bad pointer that it really passed.
 *
 * <p>All cases run the same module, so it is compiled once; the arguments vary, not the code. The
 * seed is random unless {@code -Dfuzz.seed=N} is given, and is part of every failure message.
 */
class SyscallFuzzTest {
  private static final int CASES = 1000;
  private static final int CASES_PER_APP = 50;
  private static final int LOADER_MUTATIONS = 1000;
  private static final int MEMORY = 65536;
  private static final int PROBE_NAME = 1024; // "parigot.test.v1.Probe", 21 bytes
  private static final int SLEEPER_NAME = 1056; // "sleeper", 7 bytes
  private static final String[] SYSCALLS = {
    "locate", "export", "call", "wait", "reply", "fail", "cancel", "spawn", "send", "exit"
  };
  private static final Set<Integer> ERRNOS =
      Arrays.stream(Errno.values()).map(Errno::negative).collect(Collectors.toUnmodifiableSet());
  private static final Pattern BAD_POINTER =
      Pattern.compile("70 bad pointer: \\[(\\d+), \\+(-?\\d+)\\) is outside its 65536-byte memory");

  @TempDir Path dir;

  private final long seed = Long.getLong("fuzz.seed", System.nanoTime());

  /** One fuzz case: syscall number and its arguments. */
  private record Case(int syscall, long[] args) {
    String describe() {
      return SYSCALLS[syscall]
          + Arrays.stream(args)
              .mapToObj(Long::toString)
              .collect(Collectors.joining(", ", "(", ")"));
    }

    int i(int k) {
      return (int) args[k];
    }

    /** The (ptr, len) ranges the syscall takes. */
    List<int[]> ranges() {
      return switch (SYSCALLS[syscall]) {
        case "locate", "export" -> List.of(new int[] {i(0), i(1)});
        case "call", "reply", "fail" -> List.of(new int[] {i(2), i(3)});
        case "wait" ->
            i(1) >= 1 && i(1) <= 1024
                ? List.of(new int[] {i(0), i(1) * 32}, new int[] {i(2), i(3)})
                : List.of(new int[] {i(2), i(3)});
        case "spawn" -> List.of(new int[] {i(0), i(1)}, new int[] {i(2), i(3)});
        case "send" -> List.of(new int[] {i(1), i(2)});
        default -> List.of();
      };
    }
  }

  @Test
  void randomSyscallsNeverHurtTheKernelAndKillOnlyForBadPointers() throws Exception {
    Random random = new Random(seed);
    List<Case> cases = new ArrayList<>();
    for (int i = 0; i < CASES; i++) {
      cases.add(generate(random));
    }
    try (var k = new IsoKernel(dir)) {
      for (int first = 0; first < CASES; first += CASES_PER_APP) {
        var toml = new StringBuilder("app = \"fuzz%d\"\n".formatted(first));
        for (int i = first; i < Math.min(CASES, first + CASES_PER_APP); i++) {
          Case c = cases.get(i);
          toml.append(
              """
              [program.f%03d]
              wasm = "iso-fuzz.wasm"
              role = "main"
              requires = ["%s"]
              args = ["%d", %s]
              """
                  .formatted(
                      i,
                      Probe.NAME,
                      c.syscall(),
                      Arrays.stream(c.args())
                          .mapToObj(a -> "\"" + a + "\"")
                          .collect(Collectors.joining(", "))));
        }
        App app = k.launch(toml.toString(), "iso-fuzz");
        assertThat(app.awaitMains(Duration.ofSeconds(IsoKernel.WAIT_SECONDS)))
            .as("seed %d: the cases from %d ended", seed, first)
            .isPresent();
      }
      var outcomes = new java.util.TreeMap<String, Integer>();
      for (int i = 0; i < CASES; i++) {
        String ending = k.awaitEnding("f%03d".formatted(i));
        check(cases.get(i), "f%03d".formatted(i), ending);
        outcomes.merge(
            SYSCALLS[cases.get(i).syscall()]
                + (ending.startsWith("70 bad pointer")
                    ? " killed"
                    : ending.startsWith("-") ? " " + ending : " ok"),
            1,
            Integer::sum);
        // The worker every case spawned dies with it.
        assertThat(k.awaitEnding("f%03d/sleeper".formatted(i)))
            .as("seed %d, case %d %s: its worker", seed, i, cases.get(i).describe())
            .startsWith("70 ");
      }
      System.out.printf("syscall fuzz, seed %d: %s%n", seed, outcomes);
      // The kernel still runs apps.
      App after =
          k.launch(
              """
              app = "after"
              [program.after]
              wasm = "exit-code.wasm"
              role = "main"
              """,
              "exit-code");
      assertThat(after.awaitMains(Duration.ofSeconds(IsoKernel.WAIT_SECONDS))).contains(42);
    }
  }

  private void check(Case c, String program, String ending) {
    String what = "seed %d, %s %s ended with \"%s\"".formatted(seed, program, c.describe(), ending);
    List<int[]> bad = c.ranges().stream().filter(SyscallFuzzTest::outside).toList();
    Matcher killed = BAD_POINTER.matcher(ending);
    if (killed.matches()) {
      int ptr = Integer.parseUnsignedInt(killed.group(1));
      int len = Integer.parseInt(killed.group(2));
      assertThat(bad)
          .as("%s: the range in the reason is one the call was given, and it is bad", what)
          .anyMatch(r -> r[0] == ptr && r[1] == len);
      return;
    }
    if (!ending.matches("-?\\d+")) {
      fail(what + ": killed for something other than a bad pointer");
    }
    int code = Integer.parseInt(ending);
    if (SYSCALLS[c.syscall()].equals("exit")) {
      assertThat(code).as(what).isEqualTo(c.i(0));
    } else if (code < 0) {
      assertThat(ERRNOS).as("%s: a known errno", what).contains(code);
    }
  }

  private static boolean outside(int[] range) {
    return range[0] < 0 || range[1] < 0 || (long) range[0] + range[1] > MEMORY;
  }

  private static Case generate(Random r) {
    int syscall = r.nextInt(SYSCALLS.length);
    long[] a = new long[5];
    switch (SYSCALLS[syscall]) {
      case "locate", "export" -> {
        name(r, a, 0);
      }
      case "call" -> {
        a[0] = handle(r);
        a[1] = scalar(r);
        a[2] = ptr(r);
        a[3] = len(r);
        a[4] = timeout(r, true);
      }
      case "wait" -> {
        a[0] = ptr(r);
        a[1] = r.nextInt(3) == 0 ? scalar(r) : 1 + r.nextInt(4);
        a[2] = ptr(r);
        a[3] = len(r);
        a[4] = timeout(r, false);
      }
      case "reply", "fail" -> {
        a[0] = handle(r);
        a[1] = r.nextBoolean() ? r.nextInt(3) : scalar(r);
        a[2] = ptr(r);
        a[3] = len(r);
      }
      case "cancel" -> a[0] = handle(r);
      case "spawn" -> {
        name(r, a, 0);
        a[2] = ptr(r);
        a[3] = len(r);
      }
      case "send" -> {
        a[0] = handle(r);
        a[1] = ptr(r);
        a[2] = len(r);
      }
      default -> a[0] = scalar(r);
    }
    return new Case(syscall, a);
  }

  /** A (ptr, len) name at a[k], a[k+1]: often one of the names in the guest's memory. */
  private static void name(Random r, long[] a, int k) {
    switch (r.nextInt(4)) {
      case 0 -> {
        a[k] = PROBE_NAME;
        a[k + 1] = 21;
      }
      case 1 -> {
        a[k] = SLEEPER_NAME;
        a[k + 1] = 7;
      }
      default -> {
        a[k] = ptr(r);
        a[k + 1] = len(r);
      }
    }
  }

  private static final int[] EDGES = {
    0, -1, 1, Integer.MIN_VALUE, Integer.MAX_VALUE, MEMORY, MEMORY - 1, MEMORY + 1, 2, 3, 4, 5
  };

  private static int scalar(Random r) {
    return switch (r.nextInt(3)) {
      case 0 -> EDGES[r.nextInt(EDGES.length)];
      case 1 -> r.nextInt(MEMORY + 1);
      default -> r.nextInt();
    };
  }

  private static int handle(Random r) {
    return r.nextInt(4) == 0 ? scalar(r) : 1 + r.nextInt(5);
  }

  private static int ptr(Random r) {
    return r.nextInt(3) == 0 ? MEMORY - r.nextInt(64) : scalar(r);
  }

  private static int len(Random r) {
    return r.nextInt(3) == 0 ? r.nextInt(64) : scalar(r);
  }

  /** A timeout: any i64 for call (it never blocks), only short ones for wait. */
  private static long timeout(Random r, boolean forCall) {
    long[] forWait = {0, 1, 5, -2, Long.MIN_VALUE, Integer.MIN_VALUE};
    long[] forCalls = {0, -1, -2, 1, Long.MIN_VALUE, Long.MAX_VALUE, Integer.MAX_VALUE, 86_400_000};
    long[] pick = forCall ? forCalls : forWait;
    return pick[r.nextInt(pick.length)];
  }

  @Test
  void mutatedModulesCompileOrAreRefusedWithAModuleRefusedException() {
    Random random = new Random(seed);
    String[] corpus = {
      "echo", "ping", "exit-code", "iso-trap", "iso-grow", "iso-fuzz", "iso-worker"
    };
    var engine = new ChicoryEngine();
    int loaded = 0;
    for (int i = 0; i < LOADER_MUTATIONS; i++) {
      String source = corpus[random.nextInt(corpus.length)];
      byte[] bytes = TestApp.corpus(source);
      String how = mutate(random, bytes = bytes.clone());
      if (how.startsWith("truncate ")) {
        bytes = Arrays.copyOf(bytes, Integer.parseInt(how.substring(9)));
      }
      try {
        engine.compile(source + ".wasm", bytes);
        loaded++;
      } catch (ModuleRefusedException expected) {
        assertThat(expected).hasMessageStartingWith(source + ".wasm: ");
      } catch (Throwable t) {
        throw new AssertionError(
            "seed %d, mutation %d of %s (%s): %s".formatted(seed, i, source, how, t), t);
      }
    }
    System.out.printf(
        "loader fuzz, seed %d: %d of %d mutations loaded%n", seed, loaded, LOADER_MUTATIONS);
  }

  /** Changes bytes in place, or says where to cut; returns what it did. */
  private static String mutate(Random r, byte[] bytes) {
    int kind = r.nextInt(4);
    if (kind == 0) {
      return "truncate " + (8 + r.nextInt(bytes.length - 8));
    }
    var how = new StringBuilder();
    int n = 1 + r.nextInt(3);
    for (int j = 0; j < n; j++) {
      // Past the 8-byte header, or every mutation would be an obvious "not wasm".
      int at = 8 + r.nextInt(bytes.length - 8);
      byte value = kind == 1 ? (byte) r.nextInt(256) : (byte) (bytes[at] ^ (1 << r.nextInt(8)));
      how.append("[").append(at).append("]=").append(value & 0xff).append(' ');
      bytes[at] = value;
    }
    return how.toString().trim();
  }
}
