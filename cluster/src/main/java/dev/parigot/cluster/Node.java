package dev.parigot.cluster;

import dev.parigot.errors.ParigotException;
import dev.parigot.kernel.App;
import dev.parigot.kernel.Kernel;
import dev.parigot.kernel.Manifest;
import dev.parigot.kernel.ProgramSpec;
import dev.parigot.kernel.Role;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Predicate;

/**
 * A node's share of an app, in a kernel it is given: launches the programs placed here, one at a
 * time in the app's start order, makes what they export reachable from the other nodes once they
 * serve it, and routes what they require from the other nodes through NATS once some node serves
 * it.
 */
final class Node implements AutoCloseable {
  private final Kernel kernel;
  private final Manifest manifest;
  private final List<ProgramSpec> programs;
  private final Map<String, NatsLink> links;
  private final Readiness readiness;
  private final Optional<NatsLink> java;
  private final Duration startTimeout;
  private final List<App> mains = new ArrayList<>();

  /**
   * @param name the node's name, as other nodes see it
   * @param here which programs run on this node
   * @param links the NATS connection of each program that runs here
   * @param java a connection for calls made from Java: with it, every name the app exports is
   *     reachable here, and {@link #launch} waits until each is served somewhere
   * @param startTimeout how long {@link #launch} waits for those names
   */
  Node(
      Kernel kernel,
      Manifest manifest,
      String name,
      Predicate<ProgramSpec> here,
      Map<String, NatsLink> links,
      Optional<NatsLink> java,
      Duration startTimeout) {
    this.kernel = kernel;
    this.manifest = manifest;
    this.programs =
        manifest.startOrder().stream().filter(p -> p.role() != Role.TEST).filter(here).toList();
    this.links = Map.copyOf(links);
    this.readiness = new Readiness(manifest.app(), name);
    this.java = java;
    this.startTimeout = startTimeout;
  }

  /** The programs placed here that are not tests, in start order. */
  List<ProgramSpec> programs() {
    return programs;
  }

  /**
   * Launches the programs; returns once they all started, as {@link Kernel#launch} does.
   *
   * @throws dev.parigot.errors.ParigotException as {@link Kernel#launch} does, naming an import
   *     that no node served within the start timeout
   */
  void launch() {
    Set<String> local = new LinkedHashSet<>();
    programs.forEach(p -> local.addAll(p.exports()));
    var maxMessageBytes = new HashMap<String, Integer>();
    programs.forEach(p -> maxMessageBytes.put(p.name(), p.limits().maxMessageBytes()));
    Set<String> watched = new LinkedHashSet<>();
    for (ProgramSpec p : programs) {
      for (String name : p.requires()) {
        if (!name.startsWith(Manifest.KERNEL_PREFIX)
            && !local.contains(name)
            && manifest.exporterOf(name).isPresent()
            && watched.add(name)) {
          watch(name, links.get(p.name()), maxMessageBytes);
        }
      }
    }
    var forJava = new ArrayList<String>();
    if (java.isPresent()) {
      for (ProgramSpec p : manifest.programs()) {
        for (String name : p.exports()) {
          if (!local.contains(name) && watched.add(name)) {
            watch(name, java.get(), maxMessageBytes);
            forJava.add(name);
          }
        }
      }
    }
    for (ProgramSpec p : programs) {
      App app = kernel.launch(NodeManifest.of(manifest, p));
      if (p.role() == Role.MAIN) {
        synchronized (mains) {
          mains.add(app);
        }
      }
      NatsLink link = links.get(p.name());
      for (String name : p.exports()) {
        link.export(name, kernel.services());
      }
      link.flush();
      for (String name : p.exports()) {
        readiness.serving(link, name);
      }
    }

    for (String name : forJava) {
      try {
        kernel.services().served(name).get(startTimeout.toMillis(), TimeUnit.MILLISECONDS);
      } catch (TimeoutException e) {
        throw new ParigotException(
            name + ", which nothing served within " + startTimeout.toMillis() + " ms");
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new ParigotException("interrupted while waiting for " + name, e);
      } catch (ExecutionException e) {
        throw new IllegalStateException("served() never fails", e);
      }
    }
  }

  /** Registers {@code name} in the kernel as a remote service once some node serves it. */
  private void watch(String name, NatsLink link, Map<String, Integer> maxMessageBytes) {
    var remote = new RemoteService(manifest.app(), name, links, maxMessageBytes, java);
    readiness.onServed(link, name, () -> kernel.services().register(name, remote));
  }

  /** The apps of the main programs launched here. */
  List<App> mains() {
    synchronized (mains) {
      return List.copyOf(mains);
    }
  }

  /** Withdraws this node's services from the cluster; the kernel and links are the caller's. */
  @Override
  public void close() {
    readiness.close();
  }
}
