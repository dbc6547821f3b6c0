package dev.parigot.services;

import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * The W3C Trace Context {@code traceparent} header of an HTTP request: its value if the request has
 * exactly one that is well formed (a version other than ff, a trace id and a parent id not all
 * zeros); otherwise none, and the call starts a trace of its own, as the recommendation says.
 */
final class TraceParent {
  private static final Pattern FORMAT =
      Pattern.compile("([0-9a-f]{2})-([0-9a-f]{32})-([0-9a-f]{16})-[0-9a-f]{2}(-.*)?");

  private TraceParent() {}

  static Optional<String> of(List<Http1Exchange.Field> fields) {
    String found = null;
    for (Http1Exchange.Field f : fields) {
      if (f.name().equalsIgnoreCase("traceparent")) {
        if (found != null) {
          return Optional.empty();
        }
        found = f.value().trim();
      }
    }
    return found == null ? Optional.empty() : valid(found);
  }

  static Optional<String> valid(String value) {
    var m = FORMAT.matcher(value);
    if (!m.matches()
        || m.group(1).equals("ff")
        || (m.group(1).equals("00") && m.group(4) != null)
        || m.group(2).chars().allMatch(c -> c == '0')
        || m.group(3).chars().allMatch(c -> c == '0')) {
      return Optional.empty();
    }
    // A later version may append fields; what is passed on is the part version 00 defines.
    return Optional.of(value.substring(0, 55));
  }
}
