package dev.parigot.engine.spi;

import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * A guest's WASI view of files and standard streams beyond its output lines: the directories it is
 * given (WASI preopens, confined as the file service confines its sandboxes), where its stdin comes
 * from, and whether its stdout and stderr pass bytes through untouched rather than as lines.
 *
 * @param dirs the preopened directories, as WASI numbers them (the first is fd 3)
 * @param stdin what the guest reads from fd 0; empty for end of file at once
 * @param stdout where fd 1's bytes go untouched; empty to cut them into {@link GuestConfig#stdout}
 *     lines
 * @param stderr where fd 2's bytes go untouched; empty to cut them into {@link GuestConfig#stderr}
 *     lines
 */
public record GuestIo(
    List<Dir> dirs,
    Optional<InputStream> stdin,
    Optional<OutputStream> stdout,
    Optional<OutputStream> stderr) {
  /** No directories, stdin at end of file, output as lines. */
  public static final GuestIo NONE =
      new GuestIo(List.of(), Optional.empty(), Optional.empty(), Optional.empty());

  /**
   * A directory of the host a guest sees under {@code guestPath}.
   *
   * @param guestPath the name the guest opens it by, e.g. {@code /data}: absolute, segments of
   *     printable characters other than '/', no '.' or '..'
   * @param host the directory on the host, which must exist when the guest starts
   * @param readOnly whether the guest may only read it
   */
  public record Dir(String guestPath, Path host, boolean readOnly) {
    private static final Pattern GUEST_PATH = Pattern.compile("/|(/[^/\\p{Cntrl}]{1,255}){1,32}");

    /**
     * Checks the guest path.
     *
     * @throws IllegalArgumentException if it is not of the form above
     */
    public Dir {
      Objects.requireNonNull(guestPath, "guestPath");
      Objects.requireNonNull(host, "host");
      if (!validGuestPath(guestPath)) {
        throw new IllegalArgumentException("not a guest directory path: \"" + guestPath + "\"");
      }
    }

    /** Whether {@code path} can be a {@link #guestPath}. */
    public static boolean validGuestPath(String path) {
      if (!GUEST_PATH.matcher(path).matches()) {
        return false;
      }
      for (String segment : path.substring(1).split("/")) {
        if (segment.equals(".") || segment.equals("..")) {
          return false;
        }
      }
      return true;
    }
  }

  /**
   * Copies the list.
   *
   * @throws IllegalArgumentException if two directories have the same guest path
   */
  public GuestIo {
    dirs = List.copyOf(dirs);
    Objects.requireNonNull(stdin, "stdin");
    Objects.requireNonNull(stdout, "stdout");
    Objects.requireNonNull(stderr, "stderr");
    var seen = new HashSet<String>();
    for (Dir d : dirs) {
      if (!seen.add(d.guestPath())) {
        throw new IllegalArgumentException("two directories at " + d.guestPath());
      }
    }
  }
}
