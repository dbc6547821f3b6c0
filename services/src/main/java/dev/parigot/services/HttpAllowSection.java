package dev.parigot.services;

import dev.parigot.kernel.ProgramSpec;
import dev.parigot.kernel.spi.ManifestSection;
import dev.parigot.kernel.spi.ManifestTable;
import dev.parigot.kernel.spi.SectionContext;
import dev.parigot.kernel.spi.SectionKey;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The programs' {@code http_allow} key: the hosts each may reach through parigot.http.v1.Client,
 * each {@code host:port} or {@code host:*} (any port).
 *
 * <p>Its value, {@code manifest.section(HttpAllowSection.KEY)}, maps each program with the key to
 * its entries in manifest order, host names lower-cased and IPv6 literals in brackets; it is empty
 * if no program has the key.
 */
public final class HttpAllowSection implements ManifestSection<Map<String, List<String>>> {
  /** The key of the programs' allowed hosts, by program name. */
  public static final SectionKey<Map<String, List<String>>> KEY = SectionKey.of("http_allow");

  /** Made by {@link java.util.ServiceLoader}. */
  public HttpAllowSection() {}

  @Override
  public SectionKey<Map<String, List<String>>> key() {
    return KEY;
  }

  @Override
  public List<String> programKeys() {
    return List.of("http_allow");
  }

  @Override
  public Optional<Map<String, List<String>>> read(SectionContext manifest) {
    var allowed = new LinkedHashMap<String, List<String>>();
    for (ProgramSpec program : manifest.programs()) {
      ManifestTable table = manifest.program(program);
      var hosts = new ArrayList<String>();
      for (ManifestTable.Item item : table.strings("http_allow")) {
        HostPort.parse(table, "http_allow", item.value(), true)
            .ifPresent(hp -> hosts.add(hp.toString()));
      }
      if (!hosts.isEmpty()) {
        allowed.put(program.name(), List.copyOf(hosts));
      }
    }
    return allowed.isEmpty() ? Optional.empty() : Optional.of(Map.copyOf(allowed));
  }
}
