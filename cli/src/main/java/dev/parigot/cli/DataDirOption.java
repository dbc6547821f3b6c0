package dev.parigot.cli;

import dev.parigot.kernel.Manifest;
import java.nio.file.Path;
import java.util.Optional;
import picocli.CommandLine.Option;

/** The option of {@code run}, {@code test} and {@code dev} that moves an app's data. */
final class DataDirOption {
  @Option(
      names = "--data-dir",
      paramLabel = "DIR",
      description =
          "Keep the kernel services' data in DIR rather than the manifest's data_dir (test: rather"
              + " than a fresh temporary directory).")
  Path dataDir;

  /** The manifest, with the data directory of --data-dir if given, else {@code fallback}'s. */
  Manifest load(Path manifest, Optional<Path> fallback) {
    Optional<Path> dir = Optional.ofNullable(dataDir).or(() -> fallback);
    return dir.map(d -> Manifest.load(manifest, d)).orElseGet(() -> Manifest.load(manifest));
  }
}
