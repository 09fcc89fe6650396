package dev.hcn.api.rest;

import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Executor;
import java.util.concurrent.Executors;

/**
 * A keep-alive HTTP/1.1 client on a plain socket, so that a request can be malformed in ways no
 * HTTP library sends. It reads exactly one response per request and reconnects only when the server
 * said it would close; a connection that ends before a whole response is a failure.
 */
final class RawHttp implements AutoCloseable {

  record Response(int status, Map<String, String> headers, byte[] body) {
    String header(String name) {
      return headers.get(name.toLowerCase(Locale.ROOT));
    }

    String text() {
      return new String(body, StandardCharsets.UTF_8);
    }
  }

  private static final Executor WRITER = Executors.newVirtualThreadPerTaskExecutor();

  private final int port;
  private Socket socket;
  private InputStream in;
  private OutputStream out;

  RawHttp(int port) {
    this.port = port;
  }

  /**
   * Sends {@code request} whole and reads the response.
   *
   * @param head whether the request was a HEAD (its response has no body)
   * @param fresh whether to send it on a new connection (for requests whose framing is broken)
   */
  Response exchange(byte[] request, boolean head, boolean fresh) throws IOException {
    if (fresh) {
      close();
    }
    if (socket == null) {
      socket = new Socket("localhost", port);
      socket.setSoTimeout(30_000);
      socket.setTcpNoDelay(true);
      in = new java.io.BufferedInputStream(socket.getInputStream(), 64 * 1024);
      out = socket.getOutputStream();
    }
    // Written while the answer is read: the server may answer early (413 on the declared length)
    // and close without reading the rest, which a client still writing sees as a broken pipe.
    OutputStream sink = out;
    CompletableFuture<Void> written =
        CompletableFuture.runAsync(
            () -> {
              try {
                sink.write(request);
                sink.flush();
              } catch (IOException e) {
                throw new UncheckedIOException(e);
              }
            },
            WRITER);
    Response response;
    try {
      do {
        response = read(head);
      } while (response.status() < 200); // interim answers such as 100 Continue
    } catch (IOException e) {
      close();
      try {
        written.join();
      } catch (CompletionException failed) {
        e.addSuppressed(failed.getCause());
      }
      throw e;
    }
    boolean wholeRequestSent = written.handle((ok, failed) -> failed == null).join();
    String connection = response.header("connection");
    if (fresh
        || !wholeRequestSent
        || (connection != null && connection.toLowerCase(Locale.ROOT).contains("close"))) {
      close();
    }
    return response;
  }

  private Response read(boolean head) throws IOException {
    String statusLine = line();
    if (!statusLine.startsWith("HTTP/1.1 ") || statusLine.length() < 12) {
      throw new IOException("not an HTTP/1.1 status line: " + statusLine);
    }
    int status = Integer.parseInt(statusLine.substring(9, 12));
    Map<String, String> headers = new TreeMap<>();
    for (String h = line(); !h.isEmpty(); h = line()) {
      int colon = h.indexOf(':');
      headers.put(
          h.substring(0, colon).trim().toLowerCase(Locale.ROOT), h.substring(colon + 1).trim());
    }
    byte[] body = new byte[0];
    String length = headers.get("content-length");
    String encoding = headers.get("transfer-encoding");
    if (head || status == 204 || status == 304 || status < 200) {
      return new Response(status, headers, body);
    }
    if (encoding != null && encoding.toLowerCase(Locale.ROOT).contains("chunked")) {
      ByteArrayOutputStream all = new ByteArrayOutputStream();
      for (int size = Integer.parseInt(line().trim(), 16);
          size > 0;
          size = Integer.parseInt(line().trim(), 16)) {
        all.write(in.readNBytes(size));
        line();
      }
      while (!line().isEmpty()) {
        // trailers
      }
      body = all.toByteArray();
    } else if (length != null) {
      int n = Integer.parseInt(length);
      body = in.readNBytes(n);
      if (body.length < n) {
        throw new EOFException("the connection ended inside the response body");
      }
    } else {
      body = in.readAllBytes();
      close();
    }
    return new Response(status, headers, body);
  }

  private String line() throws IOException {
    ByteArrayOutputStream s = new ByteArrayOutputStream();
    int b;
    while ((b = in.read()) != '\n') {
      if (b < 0) {
        throw new EOFException("the connection ended before a whole response");
      }
      if (b != '\r') {
        s.write(b);
      }
    }
    return s.toString(StandardCharsets.ISO_8859_1);
  }

  @Override
  public void close() throws IOException {
    if (socket != null) {
      socket.close();
      socket = null;
    }
  }
}
