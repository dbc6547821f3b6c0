package dev.parigot.cluster;

import dev.parigot.cluster.store.JetStreamStores;
import dev.parigot.errors.ParigotException;
import dev.parigot.kernel.Manifest;
import dev.parigot.kernel.ProgramSpec;
import dev.parigot.services.HttpSection;
import dev.parigot.services.HttpSpec;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;

/**
 * What {@code parigot cluster config APP.toml} writes: the NATS server's account for the app and a
 * user per program, whose permissions are the program's manifest (RATIONALE.md, "Why is the cluster
 * secured at the network?"), and each program's password.
 *
 * <p>A program's user may publish calls to what it requires, subscribe to calls of what it exports
 * and to its own inbox, answer a call with a stream (response permissions), and use JetStream in
 * the app's account. Nothing else: a node whose copy of the manifest was edited to require more is
 * refused by the server. With {@code [http]}, the ingress's user {@link #HTTP_INGRESS} may call the
 * routes' services and serve parigot.http.v1.Body, which the programs that require it may call.
 */
public final class ClusterConfig {
  /** The file of the server configuration, included from the server's own. */
  public static final String ACCOUNTS_FILE = "parigot-accounts.conf";

  /**
   * The user a node's kv and queue stores connect as; no program is named so, since program names
   * start with a letter.
   */
  static final String KERNEL_SERVICES = "_services";

  /**
   * The user a node's HTTP ingress connects as ({@code [http]}'s node): it calls the routes'
   * services and serves parigot.http.v1.Body to the handlers on other nodes.
   */
  static final String HTTP_INGRESS = "_http";

  /** The kernel service a handler reads large request bodies with, served by the ingress node. */
  static final String BODY = "parigot.http.v1.Body";

  /**
   * How many messages one call may answer with, and for how long: the server's cap on a stream
   * through response permissions (a heartbeat counts as one).
   */
  static final int MAX_RESPONSES = 1_000_000;

  static final String RESPONSE_EXPIRY = "24h";

  private ClusterConfig() {}

  /** A program's password file, in the credentials directory. */
  static String passwordFile(String program) {
    return program + ".password";
  }

  /**
   * Writes {@link #ACCOUNTS_FILE} and a password file per user into {@code dir}, created if needed.
   * A password file already there is kept, so nodes running keep theirs; the others are made from
   * 32 random bytes. Both readable by their owner only.
   *
   * @return the files written
   * @throws ParigotException if the manifest has no {@code [cluster]} or a file cannot be written
   */
  public static List<Path> write(Manifest manifest, Path dir) {
    if (manifest.section(ClusterSection.KEY).isEmpty()) {
      throw new ParigotException(manifest.file() + ": has no [cluster]; nothing to configure");
    }
    try {
      Files.createDirectories(dir);
      var written = new ArrayList<Path>();
      var users = new ArrayList<String>();
      var random = new SecureRandom();
      Optional<HttpSpec> http = manifest.section(HttpSection.KEY);
      for (ProgramSpec p : manifest.programs()) {
        users.add(
            user(manifest.app(), p, http.isPresent(), password(dir, p.name(), random, written)));
      }
      users.add(servicesUser(manifest.app(), password(dir, KERNEL_SERVICES, random, written)));
      if (http.isPresent()) {
        users.add(
            httpUser(manifest.app(), http.get(), password(dir, HTTP_INGRESS, random, written)));
      }
      Path accounts = dir.resolve(ACCOUNTS_FILE);
      writePrivate(accounts, accounts(manifest.app(), users));
      written.add(accounts);
      return List.copyOf(written);
    } catch (IOException e) {
      throw new ParigotException("cannot write the cluster configuration in " + dir + ": " + e, e);
    }
  }

  /** The password in {@code dir} of user {@code name}, made and written there if it has none. */
  private static String password(Path dir, String name, SecureRandom random, List<Path> written)
      throws IOException {
    Path file = dir.resolve(passwordFile(name));
    if (Files.exists(file)) {
      return Files.readString(file, StandardCharsets.UTF_8).strip();
    }
    byte[] bytes = new byte[32];
    random.nextBytes(bytes);
    String password = HexFormat.of().formatHex(bytes);
    writePrivate(file, password + "\n");
    written.add(file);
    return password;
  }

  /** The server configuration text: the app's account and its users. */
  static String accounts(String app, List<String> users) {
    return "# Written by parigot cluster config from the manifest of app '"
        + app
        + "'; include it from the\n# nats-server configuration. Regenerate it when the manifest"
        + " changes.\naccounts {\n  "
        + quote(app)
        + ": {\n    jetstream: enabled\n    users: [\n"
        + String.join(",\n", users)
        + "\n    ]\n  }\n}\n";
  }

  private static String user(String app, ProgramSpec p, boolean http, String password) {
    var publish = new ArrayList<String>();
    for (String name : p.requires()) {
      // Body is the one kernel service served across nodes: by the node of the ingress.
      if (!name.startsWith(Manifest.KERNEL_PREFIX) || http && name.equals(BODY)) {
        publish.add(Wire.calls(app, name));
        publish.add(Wire.allControls(app, name));
      }
    }
    // The kernel's own use of JetStream in the app's account: readiness, kv and queue.
    publish.add("$JS.>");
    publish.add("$KV.>");
    var subscribe = new ArrayList<String>();
    for (String name : p.exports()) {
      subscribe.add(Wire.calls(app, name));
      subscribe.add(Wire.allControls(app, name));
    }
    subscribe.add(NatsLink.inboxPrefix(p.name()) + ">");
    return answeringUser(NatsLink.user(app, p.name()), password, publish, subscribe);
  }

  /** A user that calls and serves: streams of responses allowed, as many as a stream has. */
  private static String answeringUser(
      String user, String password, List<String> publish, List<String> subscribe) {
    return "      { user: "
        + quote(user)
        + ", password: "
        + quote(password)
        + ",\n        permissions: {\n          publish: { allow: "
        + list(publish)
        + " }\n          subscribe: { allow: "
        + list(subscribe)
        + " }\n          allow_responses: { max: "
        + MAX_RESPONSES
        + ", expires: \""
        + RESPONSE_EXPIRY
        + "\" }\n        } }";
  }

  /**
   * The user a node's kv and queue stores connect as: the app's JetStream and its queue subjects,
   * and no call of any service.
   */
  private static String servicesUser(String app, String password) {
    return "      { user: "
        + quote(NatsLink.user(app, KERNEL_SERVICES))
        + ", password: "
        + quote(password)
        + ",\n        permissions: {\n          publish: { allow: "
        + list(List.of("$JS.>", "$KV.>", JetStreamStores.queueSubjects(app)))
        + " }\n          subscribe: { allow: "
        + list(List.of(NatsLink.inboxPrefix(KERNEL_SERVICES) + ">"))
        + " }\n        } }";
  }

  /**
   * The user of the HTTP ingress: calls of the routes' services out, calls of parigot.http.v1.Body
   * in, and its replies, answered with streams as a program's user answers.
   */
  private static String httpUser(String app, HttpSpec http, String password) {
    var publish = new ArrayList<String>();
    for (String name : http.routes().stream().map(HttpSpec.Route::service).distinct().toList()) {
      publish.add(Wire.calls(app, name));
      publish.add(Wire.allControls(app, name));
    }
    List<String> subscribe =
        List.of(
            Wire.calls(app, BODY),
            Wire.allControls(app, BODY),
            NatsLink.inboxPrefix(HTTP_INGRESS) + ">");
    return answeringUser(NatsLink.user(app, HTTP_INGRESS), password, publish, subscribe);
  }

  private static String list(List<String> items) {
    return "[" + String.join(", ", items.stream().map(ClusterConfig::quote).toList()) + "]";
  }

  private static String quote(String s) {
    // Names and subjects here are of [A-Za-z0-9._$>*-] and hex: nothing to escape.
    return '"' + s + '"';
  }

  private static void writePrivate(Path file, String text) throws IOException {
    Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
    Files.deleteIfExists(tmp);
    try {
      Files.createFile(
          tmp, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
    } catch (UnsupportedOperationException e) {
      Files.createFile(tmp);
    }
    Files.writeString(tmp, text, StandardCharsets.UTF_8);
    Files.move(
        tmp,
        file,
        java.nio.file.StandardCopyOption.REPLACE_EXISTING,
        java.nio.file.StandardCopyOption.ATOMIC_MOVE);
  }
}
