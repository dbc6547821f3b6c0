package dev.parigot.services;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.lang.System.Logger.Level;
import java.net.InetAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * One client connection of {@link Http1Server}: reads each request's head, frames its body, hands
 * the exchange to the handler and, if the connection can carry another request, goes on.
 *
 * <p>Every read has a deadline, set as the socket's timeout before the read: the head's from its
 * header timeout, a body's from its idle timeout and what is left of its total. Reads take the
 * connection's lock, so a body read by a handler's other thread and the drain after the response
 * never interleave.
 */
final class Http1Connection implements Runnable {
  private static final System.Logger LOG = System.getLogger("dev.parigot.services.http");
  // Input read and dropped at most before a connection closes.
  private static final long LINGER_BYTES = 256 * 1024;
  // Closing a socket with unread input resets it, which may destroy the response before the
  // client reads it: after the response, input is read and dropped for at most this long.
  private static final long LINGER_MILLIS = 500;
  private static final int LINE_BYTES = 8 * 1024;

  private final Http1Server server;
  private final Socket socket;
  private final InetAddress client;
  private final HttpSpec.Clients limits;
  private final InputStream raw;
  final OutputStream out;
  // The input buffer; guarded by this.
  private final byte[] buf = new byte[16 * 1024];
  private int pos;
  private int lim;

  Http1Connection(Http1Server server, Socket socket) {
    this.server = server;
    this.socket = socket;
    this.client = socket.getInetAddress();
    this.limits = server.spec.clients();
    InputStream in = InputStream.nullInputStream();
    OutputStream o = OutputStream.nullOutputStream();
    try {
      socket.setTcpNoDelay(true);
      in = socket.getInputStream();
      o = socket.getOutputStream();
    } catch (IOException e) {
      abort();
    }
    this.raw = in;
    this.out = new BufferedOutputStream(new Output(o), 16 * 1024);
  }

  /**
   * The socket's output: a write that the client does not take within the idle timeout (it stopped
   * reading) drops the connection, so that it cannot hold the handler's thread.
   */
  private final class Output extends OutputStream {
    private final OutputStream socketOut;

    Output(OutputStream socketOut) {
      this.socketOut = socketOut;
    }

    @Override
    public void write(int b) throws IOException {
      write(new byte[] {(byte) b}, 0, 1);
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
      ScheduledFuture<?> stuck = server.watch(Http1Connection.this);
      try {
        socketOut.write(b, off, len);
      } finally {
        stuck.cancel(false);
      }
    }

    @Override
    public void flush() throws IOException {
      socketOut.flush();
    }
  }

  @Override
  public void run() {
    try {
      while (serveOne()) {
        // Keep-alive: the next request on the same connection.
      }
    } catch (IOException | RuntimeException e) {
      LOG.log(Level.DEBUG, "http: connection from {0} dropped: {1}", client, e.toString());
    } finally {
      abort();
      server.closed(this, client);
    }
  }

  /** Serves one request; whether the connection can take another. */
  private boolean serveOne() throws IOException {
    Head head;
    try {
      head = readHead();
    } catch (Http1Exception e) {
      if (e.status() != 0) {
        reject(e.status(), e.getMessage());
      }
      return false;
    }
    if (head == null) {
      return false;
    }
    var exchange = new Http1Exchange(this, head, socket.getRemoteSocketAddress());
    server.handler.handle(exchange);
    if (!exchange.finished()) {
      return false; // the handler failed to complete the response: drop, never look whole
    }
    if (exchange.closeAfter() || !exchange.drain()) {
      linger();
      return false;
    }
    return true;
  }

  /** What the server parsed of a request's head. */
  record Head(
      String method,
      String path,
      String query,
      boolean http10,
      List<Http1Exchange.Field> fields,
      long length,
      boolean chunked,
      boolean close,
      boolean expectContinue) {}

  /**
   * Reads and checks a head within the header timeout; null if the client closed or went quiet
   * before sending a byte of it. Throws with status 0 when nothing can be answered.
   */
  private Head readHead() throws IOException {
    long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(limits.headerTimeoutMillis());
    int max = server.spec.maxHeaderBytes();
    String line;
    int used = 0;
    int blank = 0;
    try {
      do {
        // A client may send an empty line after a body (RFC 9112, 2.2); a few are ignored.
        line = readLine(max - used, deadline, used == 0);
        if (line == null) {
          return null;
        }
        used += line.length() + 2;
      } while (line.isEmpty() && ++blank < 4);
    } catch (Http1Exception e) {
      throw e.status() == 431 ? new Http1Exception(414, "the request line is too long") : e;
    }
    String[] parts = line.split(" ", -1);
    if (parts.length != 3 || !token(parts[0])) {
      throw new Http1Exception(400, "malformed request line");
    }
    boolean http10 = parts[2].equals("HTTP/1.0");
    if (!http10 && !parts[2].equals("HTTP/1.1")) {
      throw parts[2].matches("HTTP/[0-9]\\.[0-9]")
          ? new Http1Exception(505, "only HTTP/1.1 and 1.0 are served")
          : new Http1Exception(400, "malformed request line");
    }
    URI uri = target(parts[1]);
    var fields = new ArrayList<Http1Exchange.Field>();
    while (true) {
      String f = readLine(max - used, deadline, false);
      if (f == null) {
        throw new Http1Exception(0, "the client closed the connection in the head");
      }
      used += f.length() + 2;
      if (f.isEmpty()) {
        break;
      }
      if (fields.size() == limits.maxHeaders()) {
        throw new Http1Exception(
            431, "the request has more than " + limits.maxHeaders() + " header fields");
      }
      fields.add(field(f));
    }
    return framing(parts[0], uri, http10, List.copyOf(fields));
  }

  private static URI target(String target) throws Http1Exception {
    String lower = target.toLowerCase(Locale.ROOT);
    if (!target.startsWith("/") && !lower.startsWith("http://") && !lower.startsWith("https://")) {
      throw new Http1Exception(400, "the request target must be a path");
    }
    try {
      return new URI(target);
    } catch (URISyntaxException e) {
      throw new Http1Exception(400, "malformed request target");
    }
  }

  private static Http1Exchange.Field field(String line) throws Http1Exception {
    if (line.charAt(0) == ' ' || line.charAt(0) == '\t') {
      throw new Http1Exception(400, "folded header lines are not accepted");
    }
    int colon = line.indexOf(':');
    if (colon <= 0 || !token(line.substring(0, colon))) {
      throw new Http1Exception(400, "malformed header field");
    }
    String value = line.substring(colon + 1).strip();
    for (int i = 0; i < value.length(); i++) {
      char c = value.charAt(i);
      if (c < ' ' && c != '\t' || c == 0x7f) {
        throw new Http1Exception(400, "a control character in a header value");
      }
    }
    return new Http1Exchange.Field(line.substring(0, colon), value);
  }

  /** How the body is framed; refuses what could be read two ways (request smuggling). */
  private static Head framing(
      String method, URI uri, boolean http10, List<Http1Exchange.Field> fields)
      throws Http1Exception {
    var te = values(fields, "transfer-encoding");
    var cl = values(fields, "content-length");
    long length = 0;
    boolean chunked = false;
    if (!te.isEmpty()) {
      if (!cl.isEmpty() || http10) {
        throw new Http1Exception(400, "Transfer-Encoding with Content-Length or in HTTP/1.0");
      }
      if (te.size() != 1 || !te.getFirst().equalsIgnoreCase("chunked")) {
        throw new Http1Exception(501, "the only transfer coding served is chunked");
      }
      chunked = true;
    } else if (cl.size() > 1) {
      throw new Http1Exception(400, "more than one Content-Length");
    } else if (cl.size() == 1) {
      length = contentLength(cl.getFirst());
    }
    var connection = values(fields, "connection");
    boolean close =
        http10 || connection.stream().anyMatch(v -> v.toLowerCase(Locale.ROOT).contains("close"));
    boolean expect =
        !http10 && values(fields, "expect").stream().anyMatch("100-continue"::equalsIgnoreCase);
    String path = uri.getRawPath() == null || uri.getRawPath().isEmpty() ? "/" : uri.getRawPath();
    String query = uri.getRawQuery() == null ? "" : uri.getRawQuery();
    return new Head(method, path, query, http10, fields, length, chunked, close, expect);
  }

  private static long contentLength(String v) throws Http1Exception {
    if (v.isEmpty() || v.length() > 19 || !v.chars().allMatch(c -> c >= '0' && c <= '9')) {
      throw new Http1Exception(400, "malformed Content-Length");
    }
    return v.length() == 19 ? Long.MAX_VALUE : Long.parseLong(v);
  }

  private static List<String> values(List<Http1Exchange.Field> fields, String name) {
    return fields.stream()
        .filter(f -> f.name().equalsIgnoreCase(name))
        .map(f -> f.value())
        .toList();
  }

  private static boolean token(String s) {
    if (s.isEmpty()) {
      return false;
    }
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      boolean ok =
          c >= 'a' && c <= 'z'
              || c >= 'A' && c <= 'Z'
              || c >= '0' && c <= '9'
              || "!#$%&'*+-.^_`|~".indexOf(c) >= 0;
      if (!ok) {
        return false;
      }
    }
    return true;
  }

  /**
   * One line without its CRLF (or LF), ISO-8859-1; null on end of input before its first byte, or
   * if {@code quiet} and the deadline passes before it. A line longer than {@code limit} is 431.
   */
  private synchronized String readLine(int limit, long deadline, boolean quiet) throws IOException {
    byte[] line = new byte[64];
    int n = 0;
    while (true) {
      for (int i = pos; i < lim; i++) {
        if (buf[i] == '\n') {
          line = append(line, n, pos, i, limit);
          n += i - pos;
          pos = i + 1;
          return text(line, n);
        }
      }
      line = append(line, n, pos, lim, limit);
      n += lim - pos;
      pos = lim;
      int got;
      try {
        got = fill(deadline, Long.MAX_VALUE);
      } catch (Http1Exception e) {
        if (quiet && n == 0) {
          return null; // an idle keep-alive connection: closed without a word
        }
        throw new Http1Exception(408, "the request head did not arrive in time");
      }
      if (got < 0) {
        if (n == 0) {
          return null;
        }
        throw new Http1Exception(0, "the client closed the connection in a line");
      }
    }
  }

  private byte[] append(byte[] line, int n, int from, int to, int limit) throws Http1Exception {
    if (n + to - from > limit) {
      throw new Http1Exception(
          431, "the request's head is larger than " + server.spec.maxHeaderBytes() + " bytes");
    }
    if (n + to - from > line.length) {
      line = java.util.Arrays.copyOf(line, Math.max(line.length * 2, n + to - from));
    }
    System.arraycopy(buf, from, line, n, to - from);
    return line;
  }

  private static String text(byte[] line, int n) throws Http1Exception {
    int end = n > 0 && line[n - 1] == '\r' ? n - 1 : n;
    for (int i = 0; i < end; i++) {
      if (line[i] == '\r') {
        throw new Http1Exception(400, "a bare CR in the head");
      }
    }
    return new String(line, 0, end, StandardCharsets.ISO_8859_1);
  }

  /**
   * Reads more input into an empty buffer: the number of bytes, or -1 at its end. Throws status 408
   * once {@code deadline} passes, or {@code idleNanos} pass without a byte.
   */
  private int fill(long deadline, long idleNanos) throws IOException {
    pos = 0;
    lim = 0;
    long left = Math.min(deadline - System.nanoTime(), idleNanos);
    if (left <= 0) {
      throw new Http1Exception(408, "timed out");
    }
    socket.setSoTimeout((int) Math.max(1, TimeUnit.NANOSECONDS.toMillis(left)));
    int n;
    try {
      n = raw.read(buf, 0, buf.length);
    } catch (SocketTimeoutException e) {
      throw new Http1Exception(408, "timed out");
    }
    lim = Math.max(0, n);
    return n;
  }

  /**
   * Reads up to {@code len} body bytes: -1 at the end of input. The caller accounts the time
   * against its body's budget.
   */
  synchronized int read(byte[] b, int off, int len, long deadline, long idleNanos)
      throws IOException {
    if (pos == lim && fill(deadline, idleNanos) < 0) {
      return -1;
    }
    int n = Math.min(len, lim - pos);
    System.arraycopy(buf, pos, b, off, n);
    pos += n;
    return n;
  }

  /** A line of a chunked body's framing, read like a body's bytes. */
  synchronized String chunkLine(long deadline, long idleNanos) throws IOException {
    var line = new StringBuilder();
    while (true) {
      if (pos == lim && fill(deadline, idleNanos) < 0) {
        throw new Http1Exception(400, "the chunked body ends early");
      }
      byte c = buf[pos++];
      if (c == '\n') {
        if (!line.isEmpty() && line.charAt(line.length() - 1) == '\r') {
          line.setLength(line.length() - 1);
        }
        return line.toString();
      }
      if (line.length() == LINE_BYTES) {
        throw new Http1Exception(400, "a chunk line longer than " + LINE_BYTES + " bytes");
      }
      line.append((char) (c & 0xff));
    }
  }

  HttpSpec.Clients limits() {
    return limits;
  }

  int maxHeaderBytes() {
    return server.spec.maxHeaderBytes();
  }

  /** Sends an interim response, such as 100 Continue, before the final one. */
  void interim(String response) throws IOException {
    out.write(response.getBytes(StandardCharsets.US_ASCII));
    out.flush();
  }

  /** Answers a request that was refused while its head was read, and closes. */
  private void reject(int status, String why) {
    byte[] text = (why + "\n").getBytes(StandardCharsets.UTF_8);
    String head =
        "HTTP/1.1 "
            + status
            + " "
            + Http1Exchange.reason(status)
            + "\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: "
            + text.length
            + "\r\nConnection: close\r\n\r\n";
    try {
      out.write(head.getBytes(StandardCharsets.US_ASCII));
      out.write(text);
      out.flush();
      linger();
    } catch (IOException e) {
      LOG.log(Level.DEBUG, "http: answering {0} to {1}: {2}", status, client, e.getMessage());
    }
  }

  /**
   * Ends the response side and reads what the client still sends, briefly and boundedly, before
   * closing: the client reads the response rather than a reset.
   */
  private synchronized void linger() {
    try {
      out.flush();
      socket.shutdownOutput();
      long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(LINGER_MILLIS);
      long dropped = 0;
      while (dropped < LINGER_BYTES && fill(deadline, Long.MAX_VALUE) >= 0) {
        dropped += lim;
      }
    } catch (IOException e) {
      // Timed out or reset: the socket is closed next regardless.
    }
  }

  /** Closes the socket: any read or write on it fails at once. Idempotent. */
  void abort() {
    try {
      socket.close();
    } catch (IOException e) {
      LOG.log(Level.DEBUG, "http: closing a connection: {0}", e.getMessage());
    }
  }
}
