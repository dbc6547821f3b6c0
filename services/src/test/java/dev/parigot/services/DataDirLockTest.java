package dev.parigot.services;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.parigot.errors.InUseException;
import dev.parigot.kernel.Manifest;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A data directory belongs to one kernel's services at a time. */
class DataDirLockTest {
  @TempDir Path dir;

  private KernelServices open() {
    var services = KernelServices.builder().dataDir(dir.resolve("data")).build();
    try {
      // Builds every service, and opens the stores.
      services.dispatchers();
      return services;
    } catch (RuntimeException e) {
      services.close();
      throw e;
    }
  }

  @Test
  void aSecondKernelOfTheSameProcessIsRefusedNamingThisPid() {
    try (KernelServices first = open()) {
      assertThatThrownBy(this::open)
          .isInstanceOf(InUseException.class)
          .hasMessageContaining(dir.resolve("data") + " is in use by another kernel")
          .hasMessageContaining("pid " + ProcessHandle.current().pid());
    }
    // Closing the first lets the next one in.
    open().close();
  }

  @Test
  void aKernelOfAnotherProcessIsRefusedNamingItsPidUntilItDies() throws Exception {
    Path java = Path.of(System.getProperty("java.home"), "bin", "java");
    Process child =
        new ProcessBuilder(
                java.toString(),
                "-cp",
                System.getProperty("java.class.path"),
                CrashChild.class.getName(),
                dir.resolve("data").toString())
            .redirectError(ProcessBuilder.Redirect.INHERIT)
            .start();
    try (var in =
        new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8))) {
      // Its first acknowledged write: it has opened the store, so it holds the lock.
      assertThat(in.readLine()).as("the child's first line").isNotNull();
      assertThatThrownBy(this::open)
          .isInstanceOf(InUseException.class)
          .hasMessageContaining("pid " + child.pid());
    } finally {
      // SIGKILL, as a crash: the lock must die with it.
      child.destroyForcibly();
      child.waitFor();
    }
    try (KernelServices after = open()) {
      assertThat(dir.resolve("data").resolve(DataDirLock.FILE))
          .content()
          .isEqualTo(ProcessHandle.current().pid() + "\n");
    }
  }

  @Test
  void anAppThatUsesNoKernelServiceNeitherCreatesNorLocksItsDataDirectory() throws Exception {
    Path data = dir.resolve("data");
    Manifest manifest =
        Manifest.parse(
            "app = \"quiet\"\n[program.main]\nwasm = \"m.wasm\"\nrole = \"main\"\n",
            dir.resolve("app.toml"));
    try (var first = KernelServices.builder().dataDir(data).grants(manifest).build();
        var second = KernelServices.builder().dataDir(data).grants(manifest).build()) {
      assertThat(Files.exists(data)).isFalse();
    }
  }

  @Test
  void aProgramWithFilesLocksTheDataDirectoryWhenAdmitted() {
    Manifest manifest =
        Manifest.parse(
            "app = \"f\"\n[program.main]\nwasm = \"m.wasm\"\nrole = \"main\"\nfiles = \"main\"\n",
            dir.resolve("app.toml"));
    try (var first =
        KernelServices.builder().dataDir(dir.resolve("data")).grants(manifest).build()) {
      assertThatThrownBy(
              () -> KernelServices.builder().dataDir(dir.resolve("data")).grants(manifest).build())
          .isInstanceOf(InUseException.class)
          .hasMessageContaining("pid " + ProcessHandle.current().pid());
    }
  }
}
