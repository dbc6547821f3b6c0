package dev.parigot.kernel.spi;

import java.util.List;
import java.util.Optional;

/**
 * A table of the manifest as a {@link ManifestSection} reads it: typed reads that report a value of
 * the wrong type or range themselves, and problems named and placed as the kernel's own are: {@code
 * FILE:LINE: program 'NAME': path.key: message}.
 *
 * <p>The top level and the programs' tables given by {@link SectionContext} let a section read only
 * the keys it claims; the tables below them, all their keys.
 */
public interface ManifestTable {
  /**
   * A string of an array, with the line it is on.
   *
   * @param value the string
   * @param line its line, or 0 if unknown
   */
  record Item(String value, int line) {}

  /**
   * Returns how problems name {@code key} of this table: the program, if any, and the dotted path
   * from the top, as in {@code program 'main': limits.memory_mib} or {@code http.route[0].prefix}.
   *
   * @param key a key of this table
   * @return the name
   */
  String name(String key);

  /**
   * Returns the line of {@code key} in this table.
   *
   * @param key a key of this table
   * @return its line, or 0 if the key is absent
   */
  int line(String key);

  /**
   * Returns the line where this table starts: its header or the key that holds it.
   *
   * @return the line, or 0 for the top level or if unknown
   */
  int line();

  /**
   * Returns whether {@code key} is present in this table.
   *
   * @param key a key of this table
   * @return whether it has a value
   */
  boolean has(String key);

  /**
   * Returns the string at {@code key}, reporting {@code "KEY: must be RULE, not VALUE"} for another
   * type.
   *
   * @param key a key of this table
   * @param rule what the value must be, as in {@code "a directory path"}
   * @return the string, or empty if absent or not a string
   */
  Optional<String> string(String key, String rule);

  /**
   * Returns the integer at {@code key} if it is from {@code min} to {@code max}, reporting {@code
   * "KEY: must be an integer from MIN to MAX NOTE, not VALUE"} otherwise.
   *
   * @param key a key of this table
   * @param min the least value allowed
   * @param max the greatest value allowed
   * @param note said after the range, e.g. {@code " (milliseconds)"}; "" for none
   * @return the integer, or empty if absent or not allowed
   */
  Optional<Long> integer(String key, long min, long max, String note);

  /**
   * Returns the strings of the array at {@code key}, reporting a value other than an array and
   * items other than strings.
   *
   * @param key a key of this table
   * @return the strings in order, with their lines; empty if absent
   */
  List<Item> strings(String key);

  /**
   * Returns the table at {@code key}, reporting {@code "KEY: must be RULE, not VALUE"} for another
   * type.
   *
   * @param key a key of this table
   * @param rule what the value must be, as in {@code "a table, like [http]"}
   * @return the table, or empty if absent or not a table
   */
  Optional<ManifestTable> table(String key, String rule);

  /**
   * Returns the tables of the array at {@code key} (as {@code [[http.route]]} makes), reporting a
   * value other than an array with {@code rule}, and an item other than a table with {@code
   * "KEY[I]: must be ITEMRULE"}. Item {@code I} names its keys {@code KEY[I].key}.
   *
   * @param key a key of this table
   * @param rule what the value must be, as in {@code "an array of tables, like [[http.route]]"}
   * @param itemRule what each item must be, as in {@code "a table with a prefix and a service"}
   * @return the tables that are tables, in order; empty if absent
   */
  List<ManifestTable> tables(String key, String rule, String itemRule);

  /**
   * Reports {@code "KEY: "NAME" is not a service name (RULE)"} unless {@code name} is one: a
   * letter, then letters, digits, '.', '_' or '-', at most 255 bytes.
   *
   * @param key the key whose value, or one of whose values, is {@code name}
   * @param name the name to check
   * @return whether it is a service name
   */
  boolean checkServiceName(String key, String name);

  /**
   * Reports each key of this table not in {@code allowed}: {@code "KEY: unknown key; the keys here
   * are ALLOWED"}.
   *
   * @param allowed the keys this table may have, in the order to list them
   */
  void unknownKeys(List<String> allowed);

  /**
   * Returns the keys of a table whose keys are data rather than names the section defines (as in
   * {@code dirs = { "/data" = "data" }}), sorted.
   *
   * @return the keys, sorted by their UTF-16 text
   * @throws UnsupportedOperationException for a table the kernel shares (the top-level table or a
   *     program's), whose keys belong to several sections
   */
  List<String> keys();

  /**
   * Returns whether the value at {@code key} is a table, so that a key may hold either a string or
   * a table without a problem reported for trying one.
   *
   * @param key a key of this table
   * @return whether it holds a table (false if absent)
   */
  boolean isTable(String key);

  /**
   * Reports {@code "KEY: must be RULE, not VALUE"} unless {@code ok}.
   *
   * @param key the key whose value is checked
   * @param ok whether the value is allowed
   * @param value the value, shown as TOML would show it
   * @param rule what the value must be
   * @return {@code ok}
   */
  boolean check(String key, boolean ok, Object value, String rule);

  /**
   * Reports a problem: {@code FILE:LINE: text}, or {@code FILE: text} if {@code line} is 0. Name
   * the key with {@link #name}.
   *
   * @param line the line the problem concerns, or 0 if none
   * @param text what is wrong and, where it helps, what to write instead
   */
  void report(int line, String text);

  /**
   * Quotes {@code text} as a TOML basic string, as problems show strings.
   *
   * @param text any text
   * @return the text in double quotes, escaped
   */
  static String quote(String text) {
    return "\"" + org.tomlj.Toml.tomlEscape(text) + "\"";
  }
}
