package dev.parigot.protoc;

/** An input the generators refuse, with a message for protoc to show. */
final class Refused extends RuntimeException {
  private static final long serialVersionUID = 1L;

  Refused(String message) {
    super(message);
  }
}
