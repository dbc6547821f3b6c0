/** The exception tree of every Parigot module: {@link dev.parigot.errors.ParigotException}. */
module dev.parigot.errors {
  exports dev.parigot.errors;
}
