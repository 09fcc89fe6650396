package dev.hcn.redis;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * A minimal Redis client for the test harness itself (PING, DEBUG SLEEP, CLUSTER INFO), kept apart
 * from the client under test so that a harness command never shares its connection.
 */
final class RespClient {

  private RespClient() {}

  /** Sends one command and returns the reply (simple string, number, bulk or a list of them). */
  static Object call(int port, int readTimeoutMs, String... args) throws IOException {
    try (Socket socket = new Socket()) {
      socket.connect(new InetSocketAddress("127.0.0.1", port), 1000);
      socket.setSoTimeout(readTimeoutMs);
      OutputStream out = socket.getOutputStream();
      StringBuilder command = new StringBuilder("*").append(args.length).append("\r\n");
      for (String a : args) {
        byte[] b = a.getBytes(StandardCharsets.UTF_8);
        command.append('$').append(b.length).append("\r\n").append(a).append("\r\n");
      }
      out.write(command.toString().getBytes(StandardCharsets.UTF_8));
      out.flush();
      return read(new BufferedInputStream(socket.getInputStream()));
    }
  }

  /** Whether the server on {@code port} answers PING. */
  static boolean pings(int port) {
    try {
      return "PONG".equals(call(port, 1000, "PING"));
    } catch (IOException e) {
      return false;
    }
  }

  private static Object read(InputStream in) throws IOException {
    int type = in.read();
    String line = line(in);
    return switch (type) {
      case '+' -> line;
      case '-' -> throw new IOException("redis error: " + line);
      case ':' -> Long.parseLong(line);
      case '$' -> {
        int n = Integer.parseInt(line);
        if (n < 0) {
          yield null;
        }
        byte[] b = in.readNBytes(n + 2);
        yield new String(b, 0, n, StandardCharsets.UTF_8);
      }
      case '*' -> {
        int n = Integer.parseInt(line);
        List<Object> items = new ArrayList<>();
        for (int i = 0; i < n; i++) {
          items.add(read(in));
        }
        yield items;
      }
      default -> throw new IOException("unexpected reply type " + type);
    };
  }

  private static String line(InputStream in) throws IOException {
    StringBuilder s = new StringBuilder();
    for (int c = in.read(); c != '\r'; c = in.read()) {
      if (c < 0) {
        throw new IOException("connection closed");
      }
      s.append((char) c);
    }
    in.read(); // '\n'
    return s.toString();
  }
}
