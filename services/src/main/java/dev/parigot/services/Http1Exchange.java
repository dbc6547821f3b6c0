package dev.parigot.services;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * One request of an {@link Http1Server} connection and its response. The request's body is read
 * from the connection as the handler reads it (from any one thread at a time), within the body
 * timeouts; the response is written with a Content-Length when its length is known and chunked
 * otherwise. Response headers must be set before {@link #sendHeaders}.
 */
final class Http1Exchange {
  // Of a body the handler left unread, at most this much is read to keep the connection.
  private static final long DRAIN_BYTES = 64 * 1024;

  /** A header field as the client sent it. */
  record Field(String name, String value) {}

  private final Http1Connection connection;
  private final Http1Connection.Head head;
  private final SocketAddress remote;
  private final Body body;
  private final List<Field> responseFields = new ArrayList<>();
  private Sink sink;
  private volatile boolean finished;
  private boolean closeAfter;

  Http1Exchange(Http1Connection connection, Http1Connection.Head head, SocketAddress remote) {
    this.connection = connection;
    this.head = head;
    this.remote = remote;
    this.closeAfter = head.close();
    this.body = new Body();
  }

  String method() {
    return head.method();
  }

  /** The raw (percent-encoded) path; "/" for an absolute-form target without one. */
  String path() {
    return head.path();
  }

  /** The raw query, "" without one. */
  String query() {
    return head.query();
  }

  List<Field> fields() {
    return head.fields();
  }

  /** The Content-Length; -1 for a chunked body, 0 without a body. */
  long declaredLength() {
    return head.chunked() ? -1 : head.length();
  }

  InetSocketAddress remote() {
    return (InetSocketAddress) remote;
  }

  /**
   * The request body. A read fails with {@link Http1Exception} 408 when the client is too slow, 400
   * when a chunked body is malformed; the connection is then closed after the response.
   */
  InputStream body() {
    return body;
  }

  /** Sets a response header, replacing any of the same name. */
  void setHeader(String name, String value) {
    responseFields.removeIf(f -> f.name().equalsIgnoreCase(name));
    addHeader(name, value);
  }

  void addHeader(String name, String value) {
    responseFields.add(new Field(name, value));
  }

  /**
   * Sends the status line and headers. {@code length} is the body's length: -1 for no body, 0 for a
   * body of unknown length (sent chunked), more for exactly that many bytes.
   *
   * @throws IllegalArgumentException if a header is not a valid HTTP field
   */
  void sendHeaders(int status, long length) throws IOException {
    if (sink != null) {
      throw new IllegalStateException("headers already sent");
    }
    var h = new StringBuilder(256);
    h.append("HTTP/1.1 ").append(status).append(' ').append(reason(status)).append("\r\n");
    for (Field f : responseFields) {
      if (!validField(f.name(), f.value())) {
        throw new IllegalArgumentException("not a valid HTTP field: " + f.name());
      }
      h.append(f.name()).append(": ").append(f.value()).append("\r\n");
    }
    if (body.broken || !body.done && (head.chunked() || body.left > DRAIN_BYTES)) {
      closeAfter = true; // a body left unread is not read: the connection cannot go on
    }
    boolean bodiless = status < 200 || status == 204 || status == 304;
    boolean noBytes = bodiless || length == -1 || head.method().equals("HEAD");
    if (length > 0 && !bodiless) {
      h.append("Content-Length: ").append(length).append("\r\n");
    } else if (length == 0 && !noBytes) {
      if (head.http10()) {
        closeAfter = true; // the end of the connection is the end of the body
      } else {
        h.append("Transfer-Encoding: chunked\r\n");
      }
    } else if (!bodiless && !head.method().equals("HEAD")) {
      h.append("Content-Length: 0\r\n");
    }
    if (closeAfter) {
      h.append("Connection: close\r\n");
    }
    h.append("\r\n");
    connection.out.write(h.toString().getBytes(StandardCharsets.ISO_8859_1));
    boolean head = this.head.method().equals("HEAD");
    sink =
        new Sink(head ? -3 : noBytes ? 0 : length == 0 ? (this.head.http10() ? -2 : -1) : length);
  }

  /** The response body; {@link #sendHeaders} first. */
  OutputStream responseBody() {
    if (sink == null) {
      throw new IllegalStateException("headers not sent");
    }
    return sink;
  }

  /**
   * Completes the response: ends a chunked body and flushes. A response whose headers were not
   * sent, or with fewer bytes than its Content-Length, is not complete: the connection is dropped.
   */
  void close() throws IOException {
    if (finished || sink == null) {
      return;
    }
    sink.end();
    connection.out.flush();
    finished = true;
  }

  boolean finished() {
    return finished;
  }

  /** Whether the connection ends after this response. */
  boolean closeAfter() {
    return closeAfter || body.broken;
  }

  /**
   * Reads what the handler left of the body, if it is at most 64 KiB and arrives within the body
   * timeouts: whether the connection can take another request.
   */
  boolean drain() {
    if (body.done) {
      return true;
    }
    if (closeAfter()) {
      return false;
    }
    try {
      body.skip(DRAIN_BYTES);
      return body.done;
    } catch (IOException e) {
      return false;
    }
  }

  /** Whether {@code name: value} can be sent as is: a token name, no control characters. */
  static boolean validField(String name, String value) {
    if (name.isEmpty()) {
      return false;
    }
    for (int i = 0; i < name.length(); i++) {
      char c = name.charAt(i);
      if (c <= ' ' || c >= 0x7f || "\"(),/:;<=>?@[\\]{}".indexOf(c) >= 0) {
        return false;
      }
    }
    for (int i = 0; i < value.length(); i++) {
      char c = value.charAt(i);
      if (c < ' ' && c != '\t' || c == 0x7f || c > 0xff) {
        return false;
      }
    }
    return true;
  }

  static String reason(int status) {
    return switch (status) {
      case 100 -> "Continue";
      case 200 -> "OK";
      case 201 -> "Created";
      case 202 -> "Accepted";
      case 204 -> "No Content";
      case 206 -> "Partial Content";
      case 301 -> "Moved Permanently";
      case 302 -> "Found";
      case 303 -> "See Other";
      case 304 -> "Not Modified";
      case 307 -> "Temporary Redirect";
      case 308 -> "Permanent Redirect";
      case 400 -> "Bad Request";
      case 401 -> "Unauthorized";
      case 403 -> "Forbidden";
      case 404 -> "Not Found";
      case 405 -> "Method Not Allowed";
      case 408 -> "Request Timeout";
      case 409 -> "Conflict";
      case 413 -> "Content Too Large";
      case 414 -> "URI Too Long";
      case 429 -> "Too Many Requests";
      case 431 -> "Request Header Fields Too Large";
      case 500 -> "Internal Server Error";
      case 501 -> "Not Implemented";
      case 502 -> "Bad Gateway";
      case 503 -> "Service Unavailable";
      case 504 -> "Gateway Timeout";
      case 505 -> "HTTP Version Not Supported";
      default -> "";
    };
  }

  /**
   * The request body, fixed-length or chunked. Time spent waiting for the client is charged to the
   * body's budget (body_timeout_ms); each wait is at most idle_timeout_ms.
   */
  private final class Body extends InputStream {
    private final long idleNanos =
        TimeUnit.MILLISECONDS.toNanos(connection.limits().idleTimeoutMillis());
    private long budgetNanos =
        TimeUnit.MILLISECONDS.toNanos(connection.limits().bodyTimeoutMillis());
    // Bytes left of a fixed body or of the current chunk.
    private long left = head.chunked() ? 0 : head.length();
    private boolean done = !head.chunked() && head.length() == 0;
    private boolean started;
    private volatile boolean broken;

    @Override
    public int read() throws IOException {
      byte[] one = new byte[1];
      int n = read(one, 0, 1);
      return n < 0 ? -1 : one[0] & 0xff;
    }

    @Override
    public synchronized int read(byte[] b, int off, int len) throws IOException {
      if (len == 0) {
        return 0;
      }
      if (broken) {
        throw new IOException("the request body was cut short");
      }
      try {
        return next(b, off, len);
      } catch (IOException e) {
        broken = true;
        throw e;
      }
    }

    private int next(byte[] b, int off, int len) throws IOException {
      if (done) {
        return -1;
      }
      if (!started) {
        started = true;
        if (head.expectContinue() && sink == null) {
          // The client waits for this before it sends the body.
          connection.interim("HTTP/1.1 100 Continue\r\n\r\n");
        }
      }
      if (left == 0) {
        left = chunkSize();
        if (left == 0) {
          done = true;
          return -1;
        }
      }
      int n =
          timed(() -> connection.read(b, off, (int) Math.min(len, left), deadline(), idleNanos));
      if (n < 0) {
        throw new Http1Exception(400, "the request body ends early");
      }
      left -= n;
      if (left == 0 && !head.chunked()) {
        done = true;
      } else if (left == 0) {
        String crlf = timed(() -> connection.chunkLine(deadline(), idleNanos));
        if (!crlf.isEmpty()) {
          throw new Http1Exception(400, "malformed chunked body");
        }
      }
      return n;
    }

    private long chunkSize() throws IOException {
      String line = timed(() -> connection.chunkLine(deadline(), idleNanos));
      int end = line.indexOf(';');
      String hex = (end < 0 ? line : line.substring(0, end)).strip();
      if (hex.isEmpty() || hex.length() > 15 || !hex.chars().allMatch(Http1Exchange::hexDigit)) {
        throw new Http1Exception(400, "malformed chunk size");
      }
      long size = Long.parseLong(hex, 16);
      if (size == 0) {
        // Trailer fields, ignored, bounded like a head.
        int used = 0;
        String t;
        do {
          t = timed(() -> connection.chunkLine(deadline(), idleNanos));
          used += t.length() + 2;
          if (used > connection.maxHeaderBytes()) {
            throw new Http1Exception(431, "the trailer fields are too large");
          }
        } while (!t.isEmpty());
      }
      return size;
    }

    private long deadline() {
      return System.nanoTime() + budgetNanos;
    }

    private <T> T timed(Read<T> read) throws IOException {
      long start = System.nanoTime();
      // Whether this wait ends with the budget rather than after the idle timeout.
      boolean last = budgetNanos <= idleNanos;
      try {
        return read.run();
      } catch (Http1Exception e) {
        if (e.status() == 408) {
          throw new Http1Exception(
              408,
              last
                  ? "the request body did not arrive within "
                      + connection.limits().bodyTimeoutMillis()
                      + " ms"
                  : "no bytes of the request body came for "
                      + connection.limits().idleTimeoutMillis()
                      + " ms");
        }
        throw e;
      } finally {
        budgetNanos -= System.nanoTime() - start;
      }
    }
  }

  private interface Read<T> {
    T run() throws IOException;
  }

  private static boolean hexDigit(int c) {
    return c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F';
  }

  /** The response body: counted, chunked, or to the connection's end. */
  private final class Sink extends OutputStream {
    // Bytes it may still take; -1 chunked, -2 until the connection closes, -3 none, all dropped
    // (the response to HEAD: the handler may write the body it would send to GET).
    private long left;

    Sink(long length) {
      this.left = length;
    }

    @Override
    public void write(int b) throws IOException {
      write(new byte[] {(byte) b}, 0, 1);
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
      if (len == 0 || left == -3) {
        return;
      }
      if (left == -1) {
        connection.out.write(
            (Integer.toHexString(len) + "\r\n").getBytes(StandardCharsets.US_ASCII));
        connection.out.write(b, off, len);
        connection.out.write(CRLF);
        return;
      }
      if (left >= 0 && len > left) {
        throw new IOException("more response bytes than its Content-Length");
      }
      connection.out.write(b, off, len);
      if (left >= 0) {
        left -= len;
      }
    }

    @Override
    public void flush() throws IOException {
      connection.out.flush();
    }

    void end() throws IOException {
      if (left == -1) {
        connection.out.write(LAST_CHUNK);
      } else if (left > 0) {
        throw new IOException("the response is shorter than its Content-Length");
      }
    }
  }

  private static final byte[] CRLF = {'\r', '\n'};
  private static final byte[] LAST_CHUNK = "0\r\n\r\n".getBytes(StandardCharsets.US_ASCII);
}
