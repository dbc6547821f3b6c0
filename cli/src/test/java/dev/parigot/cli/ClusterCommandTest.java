package dev.parigot.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** run --node and cluster config, as a user meets them: exit codes, messages, files. */
class ClusterCommandTest {
  private static final String APP =
      """
      app = "shop"
      [cluster]
      servers = ["nats://127.0.0.1:1"]
      nodes = ["front", "back"]
      %s
      [program.cart]
      wasm = "cart.wasm"
      role = "service"
      node = "back"
      exports = ["shop.Cart"]
      [program.main]
      wasm = "main.wasm"
      role = "main"
      node = "front"
      requires = ["shop.Cart"]
      """;

  @TempDir Path dir;
  private final StringWriter out = new StringWriter();
  private final StringWriter err = new StringWriter();

  private int parigot(String... args) {
    return Main.execute(args, new PrintWriter(out, true), new PrintWriter(err, true));
  }

  private String app(String clusterKeys) throws Exception {
    Path file = dir.resolve("app.toml");
    Files.writeString(file, APP.formatted(clusterKeys));
    return file.toString();
  }

  @Test
  void runRefusesAManifestWithClusterWithoutANode() throws Exception {
    String app = app("");
    assertThat(parigot("run", app)).isEqualTo(Main.REFUSED);
    assertThat(err.toString()).contains("has [cluster]: run each node with parigot run");
  }

  @Test
  void runRefusesANodeTheManifestDoesNotName() throws Exception {
    String app = app("");
    assertThat(parigot("run", app, "--node", "nowhere")).isEqualTo(Main.REFUSED);
    assertThat(err.toString())
        .contains("node 'nowhere' is not one of [cluster] nodes [front, back]");
  }

  @Test
  void runWithANodeRefusesAManifestWithoutCluster() throws Exception {
    Path file = dir.resolve("plain.toml");
    Files.writeString(file, "app = \"one\"\n[program.main]\nwasm = \"m.wasm\"\nrole = \"main\"\n");
    assertThat(parigot("run", file.toString(), "--node", "a")).isEqualTo(Main.REFUSED);
    assertThat(err.toString()).contains("has no [cluster]; run it without --node");
  }

  @Test
  void clusterConfigWithoutADirectoryIsRefused() throws Exception {
    String app = app("");
    assertThat(parigot("cluster", "config", app)).isEqualTo(Main.REFUSED);
    assertThat(err.toString()).contains("give --out DIR, or set credentials in [cluster]");
  }

  @Test
  void clusterConfigGivesEachProgramAUserAllowedWhatItsManifestGrants() throws Exception {
    String app = app("credentials = \"nats\"");
    assertThat(parigot("cluster", "config", app)).as(err.toString()).isZero();
    Path nats = dir.resolve("nats");
    String accounts = Files.readString(nats.resolve("parigot-accounts.conf"));
    assertThat(accounts)
        .contains("\"shop\": {", "jetstream: enabled", "user: \"shop.cart\"", "user: \"shop.main\"")
        .contains(
            "subscribe: { allow: [\"parigot.shop.svc.shop.Cart.*\","
                + " \"parigot.shop.svc.shop.Cart.$c.>\", \"_INBOX_cart.>\"] }")
        .contains(
            "publish: { allow: [\"parigot.shop.svc.shop.Cart.*\","
                + " \"parigot.shop.svc.shop.Cart.$c.>\", \"$JS.>\", \"$KV.>\"] }")
        .contains("subscribe: { allow: [\"_INBOX_main.>\"] }")
        .contains("allow_responses: { max: 1000000, expires: \"24h\" }");
    Path password = nats.resolve("main.password");
    assertThat(Files.readString(password).strip()).hasSize(64).matches("[0-9a-f]+");
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(password)))
        .isEqualTo("rw-------");

    // Again: the passwords stay, so running nodes keep theirs.
    String before = Files.readString(password);
    assertThat(parigot("cluster", "config", app)).isZero();
    assertThat(Files.readString(password)).isEqualTo(before);
  }

  private static final String HTTP =
      """
      credentials = "nats"
      [http]
      node = "front"
      listen = "127.0.0.1:0"
      [[http.route]]
      prefix = "/cart"
      service = "shop.Cart"
      """;

  @Test
  void runWithListenOnANodeThatDoesNotServeHttpIsRefused() throws Exception {
    String app = app(HTTP);
    assertThat(parigot("run", app, "--node", "back", "--listen", "0")).isEqualTo(Main.REFUSED);
    assertThat(err.toString())
        .contains("--listen: node 'back' does not serve the app's HTTP; node 'front' does");
  }

  @Test
  void clusterConfigWithHttpGivesTheIngressAUserAllowedTheRoutesOnly() throws Exception {
    String app = app(HTTP);
    assertThat(parigot("cluster", "config", app)).as(err.toString()).isZero();
    Path nats = dir.resolve("nats");
    assertThat(Files.readString(nats.resolve("_http.password")).strip()).hasSize(64);
    assertThat(Files.readString(nats.resolve("parigot-accounts.conf")))
        .contains("user: \"shop._http\"")
        .contains(
            "publish: { allow: [\"parigot.shop.svc.shop.Cart.*\","
                + " \"parigot.shop.svc.shop.Cart.$c.>\"] }")
        .contains(
            "subscribe: { allow: [\"parigot.shop.svc.parigot.http.v1.Body.*\","
                + " \"parigot.shop.svc.parigot.http.v1.Body.$c.>\", \"_INBOX__http.>\"] }");
    assertThat(out.toString()).contains("_http.password");
  }
}
