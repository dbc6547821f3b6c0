package dev.parigot.kernel.core;

import dev.parigot.abi.Abi;

/** The syntax of service and entry names: a letter, then letters, digits, '.', '_' or '-'. */
public final class Names {
  private Names() {}

  /** Whether {@code name} is a valid service or entry name. */
  public static boolean valid(byte[] name) {
    if (name.length == 0 || name.length > Abi.MAX_NAME_LEN || !letter(name[0])) {
      return false;
    }
    for (byte b : name) {
      if (!letter(b) && !(b >= '0' && b <= '9') && b != '.' && b != '_' && b != '-') {
        return false;
      }
    }
    return true;
  }

  private static boolean letter(byte b) {
    return (b >= 'a' && b <= 'z') || (b >= 'A' && b <= 'Z');
  }
}
