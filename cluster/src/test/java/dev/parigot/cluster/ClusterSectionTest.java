package dev.parigot.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.parigot.kernel.Manifest;
import dev.parigot.kernel.ManifestException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The manifest's [cluster] table and the programs' node and nodes keys. */
class ClusterSectionTest {
  private static final Path FILE = Path.of("/apps/shop/app.toml");

  private static Manifest parse(String toml) {
    return Manifest.parse(toml, FILE);
  }

  @Test
  void aManifestWithoutClusterHasNoSpec() {
    var m = parse("app = \"one\"\n[program.main]\nwasm = \"m.wasm\"\nrole = \"main\"\n");
    assertThat(m.section(ClusterSection.KEY)).isEmpty();
  }

  @Test
  void theSpecHoldsServersCredentialsHeartbeatAndWhereEachProgramRuns() {
    var m =
        parse(
"""
            app = "shop"
            [cluster]
            servers = ["nats://10.0.0.1:4222", "nats://10.0.0.2:4222"]
            nodes = ["front", "back-1", "back-2"]
            credentials = "secrets"
            heartbeat_ms = 250
            [program.web]
            wasm = "web.wasm"
role = "main"
            node = "front"
            requires = ["shop.Cart"]
            [program.cart]
            wasm = "cart.wasm"
role = "service"
            nodes = ["back-1", "back-2"]
            exports = ["shop.Cart"]
""");
    ClusterSpec spec = m.section(ClusterSection.KEY).orElseThrow();
    assertThat(spec.servers()).containsExactly("nats://10.0.0.1:4222", "nats://10.0.0.2:4222");
    assertThat(spec.nodes()).containsExactly("front", "back-1", "back-2");
    assertThat(spec.credentials()).contains(Path.of("/apps/shop/secrets"));
    assertThat(spec.heartbeat()).isEqualTo(Duration.ofMillis(250));
    assertThat(spec.placement())
        .isEqualTo(Map.of("web", List.of("front"), "cart", List.of("back-1", "back-2")));
    assertThat(spec.runs("back-2", "cart")).isTrue();
    assertThat(spec.runs("front", "cart")).isFalse();
  }

  @Test
  void withoutHeartbeatMsTheHeartbeatIsOneSecond() {
    var m =
        parse(
"""
            app = "shop"
            [cluster]
            servers = ["nats://127.0.0.1:4222"]
            nodes = ["a"]
            [program.main]
            wasm = "m.wasm"
role = "main"
            node = "a"
""");
    assertThat(m.section(ClusterSection.KEY).orElseThrow().heartbeat())
        .isEqualTo(Duration.ofSeconds(1));
  }

  @Test
  void aNodeKeyWithoutClusterIsAProblem() {
    assertThatThrownBy(() ->
            parse(
                "app = \"one\"\n[program.main]\nwasm = \"m.wasm\"\nrole = \"main\"\nnode = \"a\"\n"))
        .isInstanceOf(ManifestException.class)
        .hasMessageContaining(
            "program 'main': node: names a node, but the manifest has no [cluster]");
  }

  @Test
  void everyProblemOfTheClusterTableAndThePlacementIsReportedAtOnce() {
    assertThatThrownBy(() ->
            parse(
"""
                app = "shop"
                [cluster]
                servers = ["http://example.com"]
                nodes = ["front", "Back", "front"]
                heartbeat_ms = 5
                colour = "blue"
                [program.web]
                wasm = "web.wasm"
role = "main"
                requires = ["shop.Cart"]
                [program.cart]
                wasm = "cart.wasm"
role = "service"
                node = "front"
                nodes = ["front"]
                exports = ["shop.Cart"]
                [program.tax]
                wasm = "tax.wasm"
role = "service"
                node = "elsewhere"
                exports = ["shop..Tax"]
"""))
        .isInstanceOf(ManifestException.class)
        .hasMessageContaining("cluster.servers: must be a NATS URL")
        .hasMessageContaining("cluster.nodes: must be a node name")
        .hasMessageContaining("\"front\" is listed twice")
        .hasMessageContaining("cluster.heartbeat_ms: must be an integer from 20 to 60000")
        .hasMessageContaining("cluster.colour: unknown key")
        .hasMessageContaining("program 'web': node: missing")
        .hasMessageContaining("a program has node or nodes, not both")
        .hasMessageContaining("\"elsewhere\" is not one of [cluster] nodes")
        .hasMessageContaining("\"shop..Tax\" has an empty '.' part");
  }

  @Test
  void aClusterWithoutServersOrNodesIsAProblem() {
    assertThatThrownBy(() ->
            parse(
"""
                app = "shop"
                [cluster]
                [program.main]
                wasm = "m.wasm"
role = "main"
"""))
        .isInstanceOf(ManifestException.class)
        .hasMessageContaining("servers: missing")
        .hasMessageContaining("nodes: missing");
  }

  private static final String HTTP_APP =
      """
      app = "shop"
      [cluster]
      servers = ["nats://127.0.0.1:4222"]
      nodes = ["front", "back"]
      [http]
      listen = "127.0.0.1:8080"
      %s
      [[http.route]]
      prefix = "/"
      service = "shop.Web"
      [program.web]
      wasm = "web.wasm"
      role = "service"
      node = "back"
      exports = ["shop.Web"]
      """;

  @Test
  void httpsNodeNamesTheNodeThatServesTheIngress() {
    ClusterSpec spec =
        parse(HTTP_APP.formatted("node = \"front\"")).section(ClusterSection.KEY).orElseThrow();
    assertThat(spec.httpNode()).contains("front");
  }

  @Test
  void aClusterWithoutHttpHasNoHttpNode() {
    var m =
        parse(
            """
            app = "shop"
            [cluster]
            servers = ["nats://127.0.0.1:4222"]
            nodes = ["a"]
            [program.main]
            wasm = "m.wasm"
            role = "main"
            node = "a"
            """);
    assertThat(m.section(ClusterSection.KEY).orElseThrow().httpNode()).isEmpty();
  }

  @Test
  void httpInAClusterWithoutNodeIsAProblemThatNamesTheNodes() {
    assertThatThrownBy(() -> parse(HTTP_APP.formatted("")))
        .isInstanceOf(ManifestException.class)
        .hasMessageContaining("http.node: missing")
        .hasMessageContaining("[front, back]");
  }

  @Test
  void httpsNodeMustBeOneOfTheClustersNodes() {
    assertThatThrownBy(() -> parse(HTTP_APP.formatted("node = \"edge\"")))
        .isInstanceOf(ManifestException.class)
        .hasMessageContaining("http.node: \"edge\" is not one of [cluster] nodes [front, back]");
    assertThatThrownBy(() -> parse(HTTP_APP.formatted("node = 7")))
        .isInstanceOf(ManifestException.class)
        .hasMessageContaining("http.node: must be a node name");
  }

  @Test
  void httpsNodeWithoutClusterIsAProblem() {
    assertThatThrownBy(() ->
            parse(
                """
                app = "one"
                [http]
                listen = "127.0.0.1:8080"
                node = "front"
                [[http.route]]
                prefix = "/"
                service = "one.Web"
                [program.web]
                wasm = "web.wasm"
                role = "service"
                exports = ["one.Web"]
                """))
        .isInstanceOf(ManifestException.class)
        .hasMessageContaining("http.node: names a node, but the manifest has no [cluster]");
  }

  @Test
  void aMisspeltKeyOfHttpIsStillRefusedInACluster() {
    assertThatThrownBy(() -> parse(HTTP_APP.formatted("node = \"front\"\nnod = \"front\"")))
        .isInstanceOf(ManifestException.class)
        .hasMessageContaining("http.nod: unknown key");
  }
}
