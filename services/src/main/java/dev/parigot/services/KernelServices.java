package dev.parigot.services;

import dev.parigot.errors.ParigotException;
import dev.parigot.kernel.Kernel;
import dev.parigot.kernel.Manifest;
import dev.parigot.kernel.Provider;
import dev.parigot.services.proto.LogProto.Level;
import dev.parigot.services.store.KvStore;
import dev.parigot.services.store.QueueStore;
import java.io.IOException;
import java.lang.System.Logger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ThreadFactory;
import java.util.function.Consumer;

/**
 * The kernel's own services, ready to serve in a {@link Kernel}: {@code parigot.kv.v1.KV}, {@code
 * parigot.queue.v1.Queue}, {@code parigot.log.v1.Log}, {@code parigot.clock.v1.Clock}, {@code
 * parigot.file.v1.File}, {@code parigot.test.v1.Test}, {@code parigot.http.v1.Client} and {@code
 * parigot.http.v1.Body} (HTTP ingress is {@link HttpIngress}, per app; Body serves the request
 * bodies it hands over). Their contracts are in the repository's {@code proto/parigot} files.
 *
 * <p>The file service serves only programs whose manifest was given to {@link Builder#grants} and
 * grants them a directory; the test service's reports are read through {@link #tests()}.
 *
 * <p>kv and queue keep their data in {@code store.db}, logs in {@code log.db}, both SQLite
 * databases under the data directory. One data directory belongs to one running instance at a time:
 * the first to open it locks it ({@code kernel.lock}, holding its pid) until it closes, and another
 * is refused with an {@link dev.parigot.errors.InUseException} naming that pid. Data is scoped by
 * the calling app's name. Each service is built, and its database opened (the data directory
 * created), when an admitted app requires it or on its first call: an app that uses no kernel
 * service gets no data directory.
 *
 * <p>Usage: build, {@link #install} into a kernel builder, build the kernel, {@link #admit} each
 * manifest before launching it; close the kernel first, then this.
 */
public final class KernelServices implements AutoCloseable {
  private static final Logger LOG = System.getLogger("dev.parigot.services");
  static final String STORE_FILE = "store.db";
  static final String LOG_FILE = "log.db";

  private final StoreOnDemand store;
  private final StoreOnDemand logStore;
  private final SystemTime ownTime;
  private final List<OnDemand> dispatchers;
  private final TestRun tests;
  private final FileService files;
  private final DiskQuotas quotas;
  private final HttpEgress http;
  private final HttpBodies bodies;
  private final DataDirLock dataDir;

  private KernelServices(
      StoreOnDemand store,
      StoreOnDemand logStore,
      SystemTime ownTime,
      List<OnDemand> d,
      TestRun tests,
      FileService files,
      DiskQuotas quotas,
      HttpEgress http,
      HttpBodies bodies,
      DataDirLock dataDir) {
    this.store = store;
    this.dataDir = dataDir;
    this.logStore = logStore;
    this.ownTime = ownTime;
    this.dispatchers = d;
    this.tests = tests;
    this.files = files;
    this.quotas = quotas;
    this.http = http;
    this.bodies = bodies;
  }

  /** A builder; {@link Builder#dataDir} is required. */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * Serves every kernel service on {@code kernel}.
   *
   * @return {@code kernel}
   * @throws IllegalArgumentException if the builder already serves one of the names
   */
  public Kernel.Builder install(Kernel.Builder kernel) {
    for (OnDemand d : dispatchers) {
      kernel.service(d.name(), d);
    }
    return kernel;
  }

  /**
   * Takes the grants of an app's manifest that the services enforce: each program's {@code files}
   * directory for {@code parigot.file.v1.File} (created here), its {@code http_allow}, the hosts
   * {@code parigot.http.v1.Client} lets it reach, and the app's disk quotas ({@code [disk]}, {@code
   * disk_mib}; an app never admitted has the defaults). Call it before launching the app; a program
   * of an app never admitted has no files and reaches no host. Admitting the same app again
   * replaces its grants. The services its programs require are built now, so that one whose data
   * cannot be opened refuses the app before it starts.
   *
   * @return this
   * @throws ParigotException if a files directory or a required service's data cannot be opened
   */
  public KernelServices admit(Manifest manifest) {
    quotas.admit(manifest);
    for (var program : manifest.programs()) {
      for (OnDemand d : dispatchers) {
        if (program.requires().contains(d.name())) {
          d.get();
        }
      }
    }
    try {
      if (manifest.section(FilesSection.KEY).isPresent()) {
        dataDir.acquire();
      }
      files.grant(manifest);
    } catch (IOException e) {
      throw new ParigotException(
          "cannot open the files directories of app '" + manifest.app() + "': " + e.getMessage(),
          e);
    }
    http.admit(manifest);
    return this;
  }

  /** The request bodies the HTTP ingresses hand to parigot.http.v1.Body. */
  HttpBodies bodies() {
    return bodies;
  }

  /** Every service, built now if it was not yet; for tests. */
  List<Dispatcher> dispatchers() {
    return dispatchers.stream().map(OnDemand::get).toList();
  }

  /** The disk quotas' ledger, for tests. */
  DiskQuotas quotas() {
    return quotas;
  }

  /** What test programs reported to {@code parigot.test.v1.Test}, for {@code parigot test}. */
  public TestRun tests() {
    return tests;
  }

  /**
   * The provider serving {@code name}, for a host that calls a service from Java through the {@link
   * Provider} SPI as the kernel does (the benchmarks use it to time a service without the kernel's
   * crossing); empty if this does not serve the name.
   */
  public Optional<Provider> provider(String name) {
    return dispatchers.stream().filter(d -> d.name().equals(name)).findFirst().map(d -> d);
  }

  /** The names this serves, e.g. {@code parigot.kv.v1.KV}. */
  public List<String> names() {
    return dispatchers.stream().map(OnDemand::name).toList();
  }

  /**
   * Refuses new calls (UNAVAILABLE), stops the timer and closes the databases. Calls still running
   * fail with UNAVAILABLE at their next store access. Idempotent.
   */
  @Override
  public void close() {
    dispatchers.forEach(OnDemand::close);
    files.close();
    http.close();
    if (ownTime != null) {
      ownTime.close();
    }
    for (StoreOnDemand s : List.of(store, logStore)) {
      try {
        s.close();
      } catch (SQLException e) {
        LOG.log(Logger.Level.WARNING, "closing a services database failed", e);
      }
    }
    dataDir.release();
  }

  /**
   * Reads the log records of app {@code app} stored under {@code dataDir}, oldest first, one
   * formatted line each ({@code TIME PROGRAM[PID] LEVEL message key=value ...}), for {@code parigot
   * logs}. Safe while a kernel writes to the same directory.
   *
   * @param app the app's name, as in its manifest
   * @param afterId only records after this id; 0 for all
   * @param minLevel the lowest level shown: debug, info, warn or error (any case)
   * @param out receives each line
   * @return the id of the last record passed to {@code out}, or {@code afterId}: pass it back to
   *     read only newer records (to follow)
   * @throws IllegalArgumentException if {@code minLevel} is not a level
   * @throws ParigotException if the records cannot be read
   */
  public static long readLogs(
      Path dataDir, String app, long afterId, String minLevel, Consumer<String> out) {
    Level level = level(minLevel);
    Path file = dataDir.resolve(LOG_FILE);
    if (!Files.exists(file)) {
      return afterId;
    }
    try (Store s = Store.open(file, false)) {
      return Logs.read(s, app, afterId, level, out);
    } catch (SQLException e) {
      throw new ParigotException("cannot read the logs in " + file + ": " + e.getMessage(), e);
    }
  }

  private static Level level(String name) {
    return switch (name.toLowerCase(Locale.ROOT)) {
      case "debug" -> Level.DEBUG;
      case "info" -> Level.INFO;
      case "warn" -> Level.WARN;
      case "error" -> Level.ERROR;
      default ->
          throw new IllegalArgumentException(
              "not a log level: '" + name + "'; debug, info, warn or error");
    };
  }

  /** Configures {@link KernelServices}. */
  public static final class Builder {
    private Path dataDir;
    private Kernel.Output output =
        (process, stderr, line) ->
            (stderr ? System.err : System.out).println(process + ": " + line);
    private Time time;
    private final List<Manifest> grants = new ArrayList<>();
    private KvStore kvStore;
    private QueueStore queueStore;

    private Builder() {}

    /**
     * Honours the grants of {@code manifest}'s programs from the start: {@link #build} {@link
     * KernelServices#admit admits} it. May be called for several apps; a later manifest of the same
     * app replaces the earlier one.
     */
    public Builder grants(Manifest manifest) {
      grants.add(Objects.requireNonNull(manifest, "manifest"));
      return this;
    }

    /** Where the databases live; created when one is first opened. Required. */
    public Builder dataDir(Path dir) {
      this.dataDir = Objects.requireNonNull(dir, "dir");
      return this;
    }

    /**
     * Where log records of level INFO and above are shown, as lines of the calling process; by
     * default the JVM's stdout (INFO) and stderr (WARN, ERROR), as the kernel's own default.
     */
    public Builder output(Kernel.Output output) {
      this.output = Objects.requireNonNull(output, "output");
      return this;
    }

    /**
     * Keeps kv entries and queue messages in these stores (JetStream's, in a cluster) instead of
     * the data directory's SQLite database; the disk quotas do not apply to them. They stay open
     * when the services close: their owner closes them after.
     */
    public Builder stores(KvStore kv, QueueStore queue) {
      this.kvStore = Objects.requireNonNull(kv, "kv");
      this.queueStore = Objects.requireNonNull(queue, "queue");
      return this;
    }

    /** The clocks and timer; the host's by default. For tests. */
    Builder time(Time time) {
      this.time = Objects.requireNonNull(time, "time");
      return this;
    }

    /**
     * Returns the services, admitting the {@link #grants} (which opens the databases the granted
     * apps require, creating the data directory and them if needed).
     *
     * @throws ParigotException if a granted app's files directory or required data cannot be opened
     */
    public KernelServices build() {
      if (dataDir == null) {
        throw new IllegalStateException("dataDir is required");
      }
      SystemTime own = time == null ? new SystemTime() : null;
      Time t = time != null ? time : own;
      ThreadFactory threads = Thread.ofVirtual().name("parigot-service-", 1).factory();
      var quotas = new DiskQuotas();
      // What kv entries and queue messages already use is counted as the store opens.
      var lock = new DataDirLock(dataDir);
      var store = new StoreOnDemand(dataDir.resolve(STORE_FILE), lock, true, quotas::count);
      // Logs are not acknowledged data: NORMAL keeps every record a killed kernel had
      // written and spares each record a disk flush.
      var logStore = new StoreOnDemand(dataDir.resolve(LOG_FILE), lock, false, opened -> {});
      var files = new FileService(quotas);
      var tests = new TestService(t);
      var http = new HttpEgress(threads);
      var bodies = new HttpBodies();
      Path dir = dataDir;
      KvStore kvs = kvStore;
      QueueStore queues = queueStore;
      List<OnDemand> dispatchers =
          List.of(
              new OnDemand(
                  "parigot.kv.v1.KV",
                  dir,
                  () ->
                      (kvs != null ? new Kv(kvs) : new Kv(store.get(), quotas))
                          .dispatcher(threads)),
              new OnDemand(
                  "parigot.queue.v1.Queue",
                  dir,
                  () ->
                      (queues != null
                              ? new Queues(queues, t, threads)
                              : new Queues(store.get(), t, threads, quotas))
                          .dispatcher()),
              new OnDemand(
                  "parigot.log.v1.Log",
                  dir,
                  () -> new Logs(logStore.get(), t, output).dispatcher(threads)),
              new OnDemand("parigot.clock.v1.Clock", dir, () -> new Clock(t).dispatcher(threads)),
              new OnDemand("parigot.file.v1.File", dir, () -> files.dispatcher(threads)),
              new OnDemand("parigot.test.v1.Test", dir, () -> tests.dispatcher(threads)),
              new OnDemand("parigot.http.v1.Client", dir, () -> http.dispatcher(threads)),
              new OnDemand("parigot.http.v1.Body", dir, () -> bodies.dispatcher(threads)));
      var services =
          new KernelServices(
              store,
              logStore,
              own,
              dispatchers,
              new TestRun(tests),
              files,
              quotas,
              http,
              bodies,
              lock);
      try {
        grants.forEach(services::admit);
      } catch (ParigotException e) {
        services.close();
        throw e;
      }
      return services;
    }
  }
}
