package dev.parigot.services;

import static dev.parigot.kernel.testing.ManifestToml.program;
import static dev.parigot.kernel.testing.ManifestToml.table;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.assertj.core.api.InstanceOfAssertFactories.STRING;

import dev.parigot.kernel.Manifest;
import dev.parigot.kernel.ManifestException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The manifest keys the services define, as sections the kernel finds on the class path: the {@code
 * [http]} table and the programs' {@code files} and {@code http_allow}.
 */
class ManifestSectionsTest {
  private static final Path FILE = Path.of("app.toml");

  @Test
  void theServicesKeysAreKnownToTheKernelAndListedAmongTheAllowedOnes() {
    assertThat(
            problems(
                """
                app = "a"
                name = "a"
                [program.main]
                wasm = "main.wasm"
                role = "main"
                export = ["a.A"]
                """))
        .containsExactly(
            "app.toml:2: name: unknown key; the keys here are app, data_dir, limits, program, disk,"
                + " http",
            "app.toml:6: program 'main': export: unknown key; the keys here are wasm, role,"
                + " exports, requires, imports, args, env, replicas, limits, disk_mib, files,"
                + " http_allow, restart, restart_delay_ms, restart_max_delay_ms, max_restarts,"
                + " restart_window_ms, drain_timeout_ms, wasi");
  }

  @Test
  void theKernelsAndTheSectionsProblemsAreReportedTogetherInLineOrder() {
    assertThat(
            problems(
                program("main", "boss", "files = \"..\"", "replicas = 0")
                    + "[http]\nlisten = \"nowhere\"\n[[http.route]]\nprefix = \"/\"\n"
                    + "service = \"a.v1.A\"\n"))
        .hasSize(5)
        .satisfies(
            p -> assertThat(p.get(0)).startsWith("app.toml:4: program 'main': role: must be"),
            p -> assertThat(p.get(1)).startsWith("app.toml:5: program 'main': files: must be"),
            p -> assertThat(p.get(2)).startsWith("app.toml:6: program 'main': replicas: must be"),
            p -> assertThat(p.get(3)).startsWith("app.toml:8: http.listen: must be"),
            p -> assertThat(p.get(4)).startsWith("app.toml:11: http.route[0].service: no program"));
  }

  // ---- Files grants ----

  @Test
  void aFilesGrantIsADirectoryUnderTheDataDirsFilesFolder() {
    Manifest m =
        Manifest.parse(
            program("notes", "service", "files = \"notes/v1\"") + table("other", "main"),
            Path.of("apps/a/app.toml"));
    assertThat(files(m, "notes")).contains(Path.of("apps/a/.parigot/a/files/notes/v1"));
    assertThat(files(m, "other")).isEmpty();
    assertThat(files(m, "nobody")).isEmpty();
  }

  @Test
  void aFilesGrantFollowsAConfiguredDataDir() {
    Manifest m =
        Manifest.parse(
            "app = \"a\"\ndata_dir = \"/srv/a\"\n" + table("notes", "service", "files = \"notes\""),
            Path.of("app.toml"));
    assertThat(files(m, "notes")).contains(Path.of("/srv/a/files/notes"));
  }

  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      value = {
        "''",
        "'/etc'",
        "'..'",
        "'a/../../b'",
        "'./a'",
        "'a//b'",
        "'a/'",
        "'.hidden'",
        "'a b'",
        "'a\\b'"
      })
  void aFilesGrantIsAPlainRelativePathThatCannotLeaveTheFilesFolder(String dir) {
    assertThat(problems(program("notes", "service", "files = \"" + dir + "\"")))
        .singleElement()
        .asString()
        .startsWith(
            "app.toml:5: program 'notes': files: must be a relative directory path under"
                + " <data_dir>/files");
  }

  @Test
  void aFilesGrantIsAString() {
    assertThat(problems(program("notes", "service", "files = true")))
        .singleElement()
        .asString()
        .endsWith(", not true");
  }

  @Test
  void aFilesGrantOfAtMost255BytesIsAccepted() {
    String dir =
        "d".repeat(63) + "/" + "e".repeat(63) + "/" + "f".repeat(63) + "/" + "g".repeat(63);
    assertThat(dir).hasSize(255);
    assertThat(files(manifest(program("notes", "service", "files = \"" + dir + "\"")), "notes"))
        .isPresent();
    assertThat(problems(program("notes", "service", "files = \"" + dir + "x\""))).hasSize(1);
  }

  @Test
  void twoProgramsCannotShareOrNestTheirFiles() {
    assertThat(
            problems(
                program("a", "service", "files = \"shared\"")
                    + table("b", "service", "files = \"shared\"")
                    + table("c", "main", "files = \"shared/inner\"")
                    + table("d", "main", "files = \"shared-not\"")))
        .containsExactly(
            "app.toml:6: program 'b': files: its directory overlaps program 'a''s"
                + " (.parigot/a/files/shared and .parigot/a/files/shared); each program gets a"
                + " directory of its own",
            "app.toml:10: program 'c': files: its directory overlaps program 'a''s"
                + " (.parigot/a/files/shared/inner and .parigot/a/files/shared); each program gets"
                + " a directory of its own");
  }

  // ---- The [http] table and http_allow ----

  /** An app whose "front" program exports shop.v1.Front, followed by {@code http}. */
  private static String httpApp(String http) {
    return program("front", "service", "exports = [\"shop.v1.Front\", \"shop.v1.Admin\"]") + http;
  }

  @Test
  void theHttpTableGivesTheAddressRoutesAndLimits() {
    Manifest m =
        manifest(
            httpApp(
                """
                [http]
                listen = "127.0.0.1:8080"
                max_header_bytes = 4096
                max_body_bytes = 1000
                timeout_ms = 250
                [[http.route]]
                prefix = "/api"
                service = "shop.v1.Front"
                [[http.route]]
                prefix = "/api/admin"
                service = "shop.v1.Admin"
                """));
    assertThat(m.section(HttpSection.KEY))
        .contains(
            new HttpSpec(
                "127.0.0.1",
                8080,
                List.of(
                    new HttpSpec.Route("/api", "shop.v1.Front"),
                    new HttpSpec.Route("/api/admin", "shop.v1.Admin")),
                4096,
                1000,
                250));
  }

  @Test
  void withoutAnHttpTableTheAppServesNoHttpAndHttpLimitsHaveDefaults() {
    assertThat(manifest(program("main", "main")).section(HttpSection.KEY)).isEmpty();
    HttpSpec http =
        manifest(
                httpApp(
                    """
                    [http]
                    listen = "[::1]:0"
                    [[http.route]]
                    prefix = "/"
                    service = "shop.v1.Front"
                    """))
            .section(HttpSection.KEY)
            .orElseThrow();
    assertThat(http.host()).isEqualTo("::1");
    assertThat(http.port()).isZero();
    assertThat(http.maxHeaderBytes()).isEqualTo(HttpSpec.DEFAULT_MAX_HEADER_BYTES);
    assertThat(http.maxBodyBytes()).isEqualTo(HttpSpec.DEFAULT_MAX_BODY_BYTES);
    assertThat(http.timeoutMillis()).isEqualTo(HttpSpec.DEFAULT_TIMEOUT_MILLIS);
  }

  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      value = {
        "127.0.0.1",
        "127.0.0.1:",
        ":8080",
        "127.0.0.1:65536",
        "127.0.0.1:-1",
        "127.0.0.1:http",
        "::1:8080",
        "[example]:80",
        "exa mple:80",
        "-bad.host:80"
      })
  void aBadListenAddressIsRefused(String listen) {
    assertThat(
            problems(
                httpApp(
                    """
                    [http]
                    listen = "%s"
                    [[http.route]]
                    prefix = "/"
                    service = "shop.v1.Front"
                    """
                        .formatted(listen))))
        .singleElement(STRING)
        .contains("http.listen: must be \"HOST:PORT\"")
        .endsWith("not \"" + listen + "\"");
  }

  @Test
  void aRouteNeedsAPrefixAndAServiceThatAProgramOfTheAppExports() {
    assertThat(
            problems(
                httpApp(
                    """
                    [http]
                    listen = "localhost:80"
                    [[http.route]]
                    prefix = "/a"
                    service = "shop.v1.Nobody"
                    [[http.route]]
                    service = "shop.v1.Front"
                    [[http.route]]
                    prefix = "/c"
                    service = "parigot.kv.v1.KV"
                    """)))
        .containsExactly(
            "app.toml:10: http.route[0].service: no program exports \"shop.v1.Nobody\"; a route"
                + " goes to a service of this app",
            "app.toml:11: http.route[1].prefix: missing; a path like \"/api\"",
            "app.toml:15: http.route[2].service: no program exports \"parigot.kv.v1.KV\"; a"
                + " route goes to a service of this app");
  }

  @Test
  void aPrefixIsGivenOnceAndWithoutTrailingSlashOrDotSegments() {
    String bad =
        httpApp(
            """
            [http]
            listen = "localhost:80"
            [[http.route]]
            prefix = "/api"
            service = "shop.v1.Front"
            [[http.route]]
            prefix = "/api"
            service = "shop.v1.Admin"
            [[http.route]]
            prefix = "/api/"
            service = "shop.v1.Admin"
            [[http.route]]
            prefix = "/a/../b"
            service = "shop.v1.Admin"
            [[http.route]]
            prefix = "api"
            service = "shop.v1.Admin"
            [[http.route]]
            prefix = "/a?b"
            service = "shop.v1.Admin"
            """);
    List<String> problems = problems(bad);
    assertThat(problems.get(0))
        .isEqualTo(
            "app.toml:12: http.route[1].prefix: \"/api\" is already the prefix of"
                + " http.route[0]; each prefix has one route");
    assertThat(problems.subList(1, problems.size()))
        .hasSize(4)
        .allSatisfy(p -> assertThat(p).contains("prefix: must be \"/\" or a path like"))
        .anySatisfy(p -> assertThat(p).endsWith("not \"/api/\""))
        .anySatisfy(p -> assertThat(p).endsWith("not \"/a/../b\""))
        .anySatisfy(p -> assertThat(p).endsWith("not \"api\""))
        .anySatisfy(p -> assertThat(p).endsWith("not \"/a?b\""));
  }

  @Test
  void theHttpTableNeedsAnAddressAndARouteAndKnowsItsKeys() {
    assertThat(problems(httpApp("[http]\nport = 80\n")))
        .containsExactly(
            "app.toml: http.route: missing; add a [[http.route]] with a prefix and a service",
            "app.toml:6: http.listen: missing; e.g. listen = \"127.0.0.1:8080\"",
            "app.toml:7: http.port: unknown key; the keys here are listen, route,"
                + " max_header_bytes, max_body_bytes, timeout_ms, max_headers,"
                + " header_timeout_ms, idle_timeout_ms, body_timeout_ms, max_connections,"
                + " max_connections_per_client, node");
  }

  @Test
  void theHttpTableGivesWhatClientsMayHoldAndDefaultsWhatItLeavesOut() {
    String table =
        """
        [http]
        listen = "127.0.0.1:0"
        max_headers = 20
        header_timeout_ms = 300
        idle_timeout_ms = 200
        body_timeout_ms = 1000
        max_connections = 16
        max_connections_per_client = 4
        [[http.route]]
        prefix = "/"
        service = "shop.v1.Front"
        """;
    assertThat(manifest(httpApp(table)).section(HttpSection.KEY).orElseThrow().clients())
        .isEqualTo(new HttpSpec.Clients(20, 300, 200, 1000, 16, 4));
    String bare =
        """
        [http]
        listen = "127.0.0.1:0"
        [[http.route]]
        prefix = "/"
        service = "shop.v1.Front"
        """;
    assertThat(manifest(httpApp(bare)).section(HttpSection.KEY).orElseThrow().clients())
        .isEqualTo(HttpSpec.Clients.DEFAULTS);
  }

  @Test
  void clientLimitsMustBePositiveAndBounded() {
    assertThat(
            problems(
                httpApp(
                    """
                    [http]
                    listen = "127.0.0.1:0"
                    max_headers = 0
                    header_timeout_ms = 0
                    idle_timeout_ms = -1
                    body_timeout_ms = 86400001
                    max_connections = "many"
                    max_connections_per_client = 0
                    [[http.route]]
                    prefix = "/"
                    service = "shop.v1.Front"
                    """)))
        .hasSize(6)
        .anySatisfy(p -> assertThat(p).contains("http.max_headers: must be an integer from 1"))
        .anySatisfy(
            p -> assertThat(p).contains("http.header_timeout_ms: must be an integer from 1"))
        .anySatisfy(p -> assertThat(p).contains("http.idle_timeout_ms: must be"))
        .anySatisfy(
            p -> assertThat(p).contains("http.body_timeout_ms: must be").endsWith("86400001"))
        .anySatisfy(p -> assertThat(p).contains("http.max_connections: must be"))
        .anySatisfy(p -> assertThat(p).contains("http.max_connections_per_client: must be"));
  }

  @Test
  void routesAreTables() {
    assertThat(
            problems(
                httpApp(
                    """
                    [http]
                    listen = "localhost:80"
                    route = [1, { prefix = "/", service = "shop.v1.Front" }]
                    """)))
        .containsExactly("app.toml:8: http.route[0]: must be a table with a prefix and a service");
    assertThat(problems(httpApp("[http]\nlisten = \"localhost:80\"\nroute = \"/\"\n")))
        .containsExactly(
            "app.toml:8: http.route: must be an array of tables, like [[http.route]], not \"/\"");
    assertThat(problems(httpApp("http = \"localhost:80\"\n")))
        .containsExactly(
            "app.toml:6: program 'front': http: unknown key; the keys here are wasm, role,"
                + " exports, requires, imports, args, env, replicas, limits, disk_mib, files,"
                + " http_allow, restart, restart_delay_ms, restart_max_delay_ms, max_restarts,"
                + " restart_window_ms, drain_timeout_ms, wasi");
  }

  @Test
  void aLongerPrefixMatchesOnlyAtASegmentBoundary() {
    var api = new HttpSpec.Route("/api", "x");
    assertThat(api.matches("/api")).isTrue();
    assertThat(api.matches("/api/items")).isTrue();
    assertThat(api.matches("/apix")).isFalse();
    assertThat(api.matches("/ap")).isFalse();
    assertThat(new HttpSpec.Route("/", "x").matches("/anything")).isTrue();
  }

  @Test
  void httpAllowListsHostsAndPortsPerProgram() {
    Manifest m =
        manifest(
            program(
                "main",
                "main",
                "requires = [\"parigot.http.v1.Client\"]",
                "http_allow = [\"Example.Internal:8080\", \"127.0.0.1:*\", \"[::1]:80\"]"));
    assertThat(httpAllow(m, "main"))
        .containsExactly("example.internal:8080", "127.0.0.1:*", "[::1]:80");
    assertThat(httpAllow(m, "other")).isEmpty();
  }

  @Test
  void aBadHttpAllowEntryIsRefused() {
    assertThat(problems(program("main", "main", "http_allow = [\"example.internal\", \"*:80\"]")))
        .hasSize(2)
        .allSatisfy(
            p -> assertThat(p).startsWith("app.toml:5: program 'main': http_allow: must be"));
  }

  private static Optional<Path> files(Manifest m, String program) {
    return m.section(FilesSection.KEY).map(grants -> grants.get(program));
  }

  private static List<String> httpAllow(Manifest m, String program) {
    return m.section(HttpAllowSection.KEY).orElse(Map.of()).getOrDefault(program, List.of());
  }

  private static Manifest manifest(String toml) {
    return Manifest.parse(toml, FILE);
  }

  private static List<String> problems(String toml) {
    return catchThrowableOfType(ManifestException.class, () -> manifest(toml)).problems();
  }
}
