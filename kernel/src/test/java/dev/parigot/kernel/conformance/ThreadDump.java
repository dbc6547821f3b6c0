package dev.parigot.kernel.conformance;

import com.sun.management.HotSpotDiagnosticMXBean;
import com.sun.management.HotSpotDiagnosticMXBean.ThreadDumpFormat;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * A dump of every thread of the JVM, virtual threads included (which {@link
 * Thread#getAllStackTraces} leaves out): each stack frame as the JSON dump writes it, such as
 * {@code "dev.parigot.kernel.conformance.Gate.open(Gate.java:22)"}.
 */
public record ThreadDump(List<String> frames) {
  /** Dumps every thread to a JSON file in {@code dir} and reads its frames back. */
  public static ThreadDump take(Path dir) throws IOException {
    Path file = dir.resolve("threads-" + System.nanoTime() + ".json");
    ManagementFactory.getPlatformMXBean(HotSpotDiagnosticMXBean.class)
        .dumpThreads(file.toAbsolutePath().toString(), ThreadDumpFormat.JSON);
    return new ThreadDump(
        Files.readAllLines(file).stream()
            .map(String::strip)
            .filter(l -> l.startsWith("\"") && l.contains("(") && !l.contains("\": "))
            .toList());
  }

  /** The frames of methods named {@code method} of class {@code simpleName}, nested or not. */
  public List<String> in(String simpleName, String method) {
    return frames.stream()
        .filter(f ->
            f.contains("." + simpleName + "." + method + "(")
                || f.contains("$" + simpleName + "." + method + "("))
        .toList();
  }
}
