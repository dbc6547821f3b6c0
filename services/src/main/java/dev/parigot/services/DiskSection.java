package dev.parigot.services;

import dev.parigot.kernel.ProgramSpec;
import dev.parigot.kernel.spi.ManifestSection;
import dev.parigot.kernel.spi.ManifestTable;
import dev.parigot.kernel.spi.SectionContext;
import dev.parigot.kernel.spi.SectionKey;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Optional;

/**
 * The manifest's {@code [disk]} table and its programs' {@code disk_mib} key: how much the app, and
 * each program of it, may keep in the kernel services' data (files, kv entries, queue messages).
 * Its value, {@code manifest.section(DiskSection.KEY)}, is empty for a manifest that sets neither;
 * the app then has {@link DiskSpec#DEFAULT}. The README's section "The manifest" describes the
 * keys.
 */
public final class DiskSection implements ManifestSection<DiskSpec> {
  /** The key of the app's {@link DiskSpec}. */
  public static final SectionKey<DiskSpec> KEY = SectionKey.of("disk");

  private static final String NOTE = " (MiB)";

  /** Made by {@link java.util.ServiceLoader}. */
  public DiskSection() {}

  @Override
  public SectionKey<DiskSpec> key() {
    return KEY;
  }

  @Override
  public List<String> tables() {
    return List.of("disk");
  }

  @Override
  public List<String> programKeys() {
    return List.of("disk_mib");
  }

  @Override
  public Optional<DiskSpec> read(SectionContext manifest) {
    Optional<ManifestTable> table =
        manifest.root().table("disk", "a table, like [disk] max_mib = 1024");
    long appMib = DiskSpec.DEFAULT_MIB;
    boolean set = table.isPresent();
    boolean ok = true;
    if (table.isPresent()) {
      ManifestTable disk = table.get();
      disk.unknownKeys(List.of("max_mib"));
      if (disk.has("max_mib")) {
        Optional<Long> mib = disk.integer("max_mib", 1, DiskSpec.MAX_MIB, NOTE);
        ok = mib.isPresent();
        appMib = mib.orElse(appMib);
      }
    }
    var shares = new LinkedHashMap<String, Long>();
    for (ProgramSpec program : manifest.programs()) {
      ManifestTable t = manifest.program(program);
      if (!t.has("disk_mib")) {
        continue;
      }
      set = true;
      Optional<Long> mib = t.integer("disk_mib", 1, DiskSpec.MAX_MIB, NOTE);
      if (mib.isEmpty()) {
        ok = false;
      } else if (mib.get() > appMib) {
        t.report(
            t.line("disk_mib"),
            t.name("disk_mib")
                + ": "
                + mib.get()
                + " MiB is more than the app's quota, [disk] max_mib = "
                + appMib
                + "; a program's share is within the app's");
        ok = false;
      } else {
        shares.put(program.name(), mib.get() << 20);
      }
    }
    if (!set || !ok) {
      return Optional.empty();
    }
    return Optional.of(new DiskSpec(appMib << 20, shares));
  }
}
