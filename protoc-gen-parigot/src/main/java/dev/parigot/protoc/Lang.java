package dev.parigot.protoc;

import com.google.protobuf.Descriptors.FileDescriptor;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/** The languages the generator renders the proto model in: one backend each. */
public enum Lang {
  /** {@code x.pg.h} and {@code x.pg.c}, on sdk/c. */
  C,
  /** {@code x.ts}, on sdk/as. */
  AS;

  /** The language of a {@code --lang} value ("c" or "as"), if it is one. */
  public static Optional<Lang> of(String name) {
    return switch (name.toLowerCase(Locale.ROOT)) {
      case "c" -> Optional.of(C);
      case "as", "assemblyscript" -> Optional.of(AS);
      default -> Optional.empty();
    };
  }

  /** The names {@link #of} accepts, for messages. */
  public static String names() {
    return "c, as";
  }

  List<String[]> generate(FileDescriptor file) {
    return switch (this) {
      case C -> CGenerator.generate(file);
      case AS -> AsGenerator.generate(file);
    };
  }
}
