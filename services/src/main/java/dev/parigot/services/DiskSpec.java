package dev.parigot.services;

import java.util.Map;

/**
 * An app's disk quotas, as its manifest's {@code [disk]} table and its programs' {@code disk_mib}
 * keys set them: the bytes of kernel-service data (files, kv entries, queue messages) the whole app
 * may hold, and each program's share of that. {@link DiskSection} checks the values; this record
 * only refuses values out of range.
 *
 * @param appBytes what the app's programs may hold together, in bytes
 * @param programBytes the programs whose share is set, by name; each at most {@code appBytes}. A
 *     program not listed may use up to {@code appBytes}
 */
public record DiskSpec(long appBytes, Map<String, Long> programBytes) {
  /** The default of {@code [disk] max_mib}: 1 GiB. */
  public static final long DEFAULT_MIB = 1024;

  /** The largest quota the manifest may set: 1 TiB. */
  public static final long MAX_MIB = 1 << 20;

  /** The quotas of an app whose manifest sets none. */
  public static final DiskSpec DEFAULT = new DiskSpec(DEFAULT_MIB << 20, Map.of());

  /**
   * Copies the shares and checks the numbers.
   *
   * @throws IllegalArgumentException if a quota is below 1 MiB or above {@link #MAX_MIB}, or a
   *     program's share is above the app's
   */
  public DiskSpec {
    programBytes = Map.copyOf(programBytes);
    check(appBytes);
    for (var share : programBytes.entrySet()) {
      check(share.getValue());
      if (share.getValue() > appBytes) {
        throw new IllegalArgumentException(
            "program '" + share.getKey() + "': its share is above the app's quota");
      }
    }
  }

  /** The quota of {@code program}: its share if set, else the app's. */
  public long programBytes(String program) {
    return programBytes.getOrDefault(program, appBytes);
  }

  private static void check(long bytes) {
    if (bytes < 1L << 20 || bytes > MAX_MIB << 20) {
      throw new IllegalArgumentException(
          "a disk quota is 1 MiB to " + MAX_MIB + " MiB, not " + bytes + " bytes");
    }
  }
}
