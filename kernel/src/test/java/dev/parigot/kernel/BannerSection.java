package dev.parigot.kernel;

import dev.parigot.kernel.spi.ManifestSection;
import dev.parigot.kernel.spi.ManifestTable;
import dev.parigot.kernel.spi.SectionContext;
import dev.parigot.kernel.spi.SectionKey;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A manifest section of the kernel's tests, registered for {@link java.util.ServiceLoader} in the
 * test resources: a {@code [banner]} table (text, width, shown_by: a program of the app) and a
 * program key {@code banner_color}.
 */
public final class BannerSection implements ManifestSection<BannerSection.Banner> {
  public static final SectionKey<Banner> KEY = SectionKey.of("banner");

  private static final String COLOR = "\"red\" or \"green\"";

  /**
   * What the section read.
   *
   * @param text the banner's text, or "" if only colors were given
   * @param width 1 to 200, 80 by default
   * @param colors each program's color
   */
  public record Banner(String text, long width, Map<String, String> colors) {}

  @Override
  public SectionKey<Banner> key() {
    return KEY;
  }

  @Override
  public List<String> tables() {
    return List.of("banner");
  }

  @Override
  public List<String> programKeys() {
    return List.of("banner_color");
  }

  @Override
  public Optional<Banner> read(SectionContext manifest) {
    var colors = new LinkedHashMap<String, String>();
    for (ProgramSpec program : manifest.programs()) {
      ManifestTable t = manifest.program(program);
      t.string("banner_color", COLOR)
          .filter(c -> t.check("banner_color", c.equals("red") || c.equals("green"), c, COLOR))
          .ifPresent(c -> colors.put(program.name(), c));
    }
    Optional<ManifestTable> table = manifest.root().table("banner", "a table, like [banner]");
    if (table.isEmpty()) {
      return colors.isEmpty() ? Optional.empty() : Optional.of(new Banner("", 80, colors));
    }
    ManifestTable banner = table.get();
    banner.unknownKeys(List.of("text", "width", "shown_by"));
    if (!banner.has("text")) {
      banner.report(banner.line(), banner.name("text") + ": missing; the banner's text");
    }
    String text = banner.string("text", "a string").orElse("");
    long width = banner.integer("width", 1, 200, " (columns)").orElse(80L);
    banner
        .string("shown_by", "a program name")
        .filter(name -> manifest.programs().stream().noneMatch(p -> p.name().equals(name)))
        .ifPresent(name ->
            banner.report(
                banner.line("shown_by"),
                banner.name("shown_by") + ": no program " + ManifestTable.quote(name)));
    return Optional.of(new Banner(text, width, Map.copyOf(colors)));
  }
}
