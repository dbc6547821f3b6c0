/**
 * Extension points of the kernel. {@link dev.parigot.kernel.spi.ManifestSection} lets another
 * module define manifest keys: the kernel parses only its own ({@code app}, {@code data_dir},
 * {@code limits} and the programs' {@code wasm}, {@code role}, {@code exports}, {@code requires},
 * {@code imports}, {@code args}, {@code env}, {@code replicas}, {@code limits}), and every other
 * table or key belongs to a section found with {@link java.util.ServiceLoader}, or is an error.
 */
package dev.parigot.kernel.spi;
