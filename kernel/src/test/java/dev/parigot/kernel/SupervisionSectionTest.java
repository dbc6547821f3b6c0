package dev.parigot.kernel;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The programs' supervision keys: what they mean and how each mistake is reported. */
class SupervisionSectionTest {
  private static final Path FILE = Path.of("app.toml");

  private static Manifest service(String keys) {
    return Manifest.parse(
        """
        app = "a"
        [program.svc]
        wasm = "svc.wasm"
        role = "service"
        exports = ["a.v1.Svc"]
        %s
        [program.main]
        wasm = "main.wasm"
        role = "main"
        requires = ["a.v1.Svc"]
        """
            .formatted(keys),
        FILE);
  }

  private static Supervision of(Manifest m) {
    return m.section(Supervision.KEY).orElseThrow().get("svc");
  }

  @Test
  void aServiceWithoutKeysIsNeverRestartedAndDrainsForThirtySeconds() {
    Manifest m = service("");
    assertThat(of(m)).isEqualTo(Supervision.DEFAULT);
    assertThat(of(m).restart()).isEqualTo(Supervision.Restart.NEVER);
    assertThat(of(m).drainTimeout()).isEqualTo(Duration.ofSeconds(30));
    // Main programs are not supervised.
    assertThat(m.section(Supervision.KEY).orElseThrow()).containsOnlyKeys("svc");
  }

  @Test
  void everyKeyIsRead() {
    Manifest m =
        service(
            """
            restart = "on-failure"
            restart_delay_ms = 50
            restart_max_delay_ms = 2000
            max_restarts = 7
            restart_window_ms = 10000
            drain_timeout_ms = 0
            """);
    assertThat(of(m))
        .isEqualTo(
            new Supervision(
                Supervision.Restart.ON_FAILURE,
                Duration.ofMillis(50),
                Duration.ofMillis(2000),
                7,
                Duration.ofSeconds(10),
                Duration.ZERO));
  }

  @Test
  void aDelayLongerThanTheDefaultMaximumRaisesTheMaximumToIt() {
    assertThat(of(service("restart = \"always\"\nrestart_delay_ms = 60000")).maxDelay())
        .isEqualTo(Duration.ofMinutes(1));
  }

  @Test
  void anUnknownPolicyIsRefusedWithTheChoices() {
    assertThatThrownBy(() -> service("restart = \"sometimes\""))
        .isInstanceOf(ManifestException.class)
        .hasMessageContaining(
            "app.toml:6: program 'svc': restart: must be one of \"never\", \"on-failure\","
                + " \"always\", not \"sometimes\"");
  }

  @Test
  void tuningWithoutARestartPolicyIsRefused() {
    assertThatThrownBy(() -> service("max_restarts = 3"))
        .isInstanceOf(ManifestException.class)
        .hasMessageContaining(
            "program 'svc': max_restarts: applies only with restart = \"on-failure\" or"
                + " \"always\"");
  }

  @Test
  void aMaximumDelayBelowTheDelayIsRefused() {
    assertThatThrownBy(() ->
            service("restart = \"always\"\nrestart_delay_ms = 500\nrestart_max_delay_ms = 100"))
        .isInstanceOf(ManifestException.class)
        .hasMessageContaining(
            "program 'svc': restart_max_delay_ms: must be at least restart_delay_ms (500), not"
                + " 100");
  }

  @Test
  void valuesOutOfRangeAreRefused() {
    assertThatThrownBy(() -> service("restart = \"always\"\nmax_restarts = 0"))
        .isInstanceOf(ManifestException.class)
        .hasMessageContaining("program 'svc': max_restarts: must be an integer from 1 to");
    assertThatThrownBy(() -> service("restart = \"always\"\nrestart_delay_ms = -1"))
        .isInstanceOf(ManifestException.class)
        .hasMessageContaining("program 'svc': restart_delay_ms: must be an integer from 1 to");
    assertThatThrownBy(() -> service("drain_timeout_ms = 3600001"))
        .isInstanceOf(ManifestException.class)
        .hasMessageContaining("program 'svc': drain_timeout_ms: must be an integer from 0 to");
    assertThatThrownBy(() -> service("restart = 1"))
        .isInstanceOf(ManifestException.class)
        .hasMessageContaining("program 'svc': restart: must be one of");
  }

  @Test
  void aMainProgramIsNotSupervised() {
    assertThatThrownBy(() ->
            Manifest.parse(
                """
                app = "a"
                [program.main]
                wasm = "main.wasm"
                role = "main"
                restart = "always"
                """,
                FILE))
        .isInstanceOf(ManifestException.class)
        .hasMessageContaining(
            "app.toml:5: program 'main': restart: only a service program (role = \"service\") is"
                + " supervised, not a main program");
  }

  @Test
  void theRecordRefusesInconsistentValues() {
    assertThatThrownBy(() ->
            new Supervision(
                Supervision.Restart.ALWAYS,
                Duration.ofSeconds(2),
                Duration.ofSeconds(1),
                1,
                Duration.ofSeconds(1),
                Duration.ZERO))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() ->
            new Supervision(
                Supervision.Restart.ALWAYS,
                Duration.ofSeconds(1),
                Duration.ofSeconds(1),
                0,
                Duration.ofSeconds(1),
                Duration.ZERO))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void eachPolicySaysWhatItRestarts() {
    assertThat(Supervision.Restart.NEVER.restarts(true)).isFalse();
    assertThat(Supervision.Restart.ON_FAILURE.restarts(true)).isTrue();
    assertThat(Supervision.Restart.ON_FAILURE.restarts(false)).isFalse();
    assertThat(Supervision.Restart.ALWAYS.restarts(false)).isTrue();
    assertThat(Map.of("k", Supervision.Restart.ON_FAILURE.toml())).containsValue("on-failure");
  }
}
