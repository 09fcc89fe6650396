package dev.hcn.api.rest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import dev.hcn.ServiceTest;
import dev.hcn.fuzz.FuzzCases;
import dev.hcn.fuzz.Shrink;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.web.server.LocalServerPort;
import tools.jackson.databind.JsonNode;

/**
 * Generated requests against the real Tomcat: random JSON (structure, types, huge and negative
 * numbers, deep nesting, long strings, broken syntax and encodings), random paths (every spelling:
 * percent-encoding good and bad, encoded slashes, double and trailing slashes, matrix parameters,
 * case), methods, headers, content types, and framing (length, chunked, broken chunks). Whatever
 * arrives, the answer is never a 5xx, every 4xx is problem details with a type, the connection
 * always carries a whole answer, and the service still ranks afterwards.
 */
@ServiceTest
class RestFuzzTest {

  private static final String PREFIX = "https://hcn.dev/problems/";

  /** The test context's body limit (ServiceTest: 256 KB). */
  private static final int LIMIT = 256 * 1024;

  @LocalServerPort int port;

  /** Requests tried when shrinking a failure, per part of the request. */
  private static final int SHRINK_BUDGET = 200;

  @Test
  void noGeneratedRequestGetsA5xxOrAnUntypedError() throws IOException {
    long seed = FuzzCases.seed();
    int cases = FuzzCases.cases();
    var statuses = new TreeMap<Integer, Integer>();
    try (RawHttp http = new RawHttp(port)) {
      for (int i = 0; i < cases; i++) {
        Request request = request(FuzzCases.random(seed, i));
        Outcome outcome = outcome(http, request, request.fresh());
        statuses.merge(outcome.status(), 1, Integer::sum);
        if (outcome.failure() != null) {
          Request shrunk = shrink(request, r -> sameFailure(r, outcome));
          fail(
              "%s: %s\n%s\nshrunk to %s\n%s",
              FuzzCases.name(seed, i),
              outcome.failure(),
              request.summary(),
              shrunk.summary(),
              Shrink.show(shrunk.bytes(), 2000));
        }
      }
    }
    // The mix reaches the service and its limits, not only the router.
    assertThat(statuses).containsKeys(200, 400, 404, 413, 415);
    assertThat(new HttpJson(port).postJson("/v1/rank", "{\"userId\": \"42\", \"k\": 5}").status())
        .as("a normal request after %d generated ones (%s)", cases, statuses)
        .isEqualTo(200);
  }

  /**
   * The shrinking that a failure report goes through, run against the real server with a property
   * that the body limit breaks ("nothing is answered 413"): it must find the cause, a body of
   * exactly one byte over the limit, and drop every header but Host and every character of the path
   * but its slash.
   */
  @Test
  void aFailureIsShrunkToItsCause() throws IOException {
    long seed = FuzzCases.DEFAULT_SEED; // the demonstration is of one known run
    try (RawHttp http = new RawHttp(port)) {
      for (int i = 0; i < FuzzCases.cases(); i++) {
        Request request = request(FuzzCases.random(seed, i));
        if (outcome(http, request, true).status() != 413) {
          continue;
        }
        Request shrunk = shrink(request, r -> answer(r) == 413);
        assertThat(answer(shrunk)).isEqualTo(413);
        assertThat(shrunk.body()).as("from %s", request.summary()).hasSize(LIMIT + 1);
        // The limit holds whatever the path and whatever else the request says.
        assertThat(shrunk.headers()).containsExactly("Host: localhost");
        assertThat(shrunk.path()).isEqualTo("/");
        return;
      }
    }
    fail("no generated request was answered 413");
  }

  /** Whole answer to a request, judged by the checks; status -1 when none came. */
  record Outcome(int status, String failure) {}

  private static Outcome outcome(RawHttp http, Request request, boolean fresh) {
    RawHttp.Response response;
    try {
      response = http.exchange(request.bytes(), request.head(), fresh);
    } catch (IOException e) {
      return new Outcome(-1, "no whole answer: " + e);
    }
    return new Outcome(response.status(), problem(response, request));
  }

  /** Fails in the same way: the same status, and not passing the checks. */
  private boolean sameFailure(Request request, Outcome original) {
    Outcome o = alone(request);
    return o.failure() != null && o.status() == original.status();
  }

  private int answer(Request request) {
    return alone(request).status();
  }

  /** The outcome of the request sent on a connection of its own. */
  private Outcome alone(Request request) {
    RawHttp http = new RawHttp(port);
    try {
      return outcome(http, request, true);
    } finally {
      try {
        http.close();
      } catch (IOException e) {
        // the answer is in; a failed close changes nothing about it
      }
    }
  }

  /** The request with body, then headers, then path shrunk while it still {@code fails}. */
  static Request shrink(Request request, Predicate<Request> fails) {
    Request r = request;
    Request withBody = r;
    r = r.withBody(Shrink.bytes(r.body(), b -> fails.test(withBody.withBody(b)), SHRINK_BUDGET));
    Request withHeaders = r;
    r =
        r.withHeaders(
            Shrink.list(r.headers(), h -> fails.test(withHeaders.withHeaders(h)), SHRINK_BUDGET));
    Request withPath = r;
    List<Character> path = r.path().chars().mapToObj(c -> (char) c).toList();
    List<Character> shrunkPath =
        Shrink.list(path, p -> fails.test(withPath.withPath(string(p))), SHRINK_BUDGET);
    return r.withPath(string(shrunkPath));
  }

  private static String string(List<Character> chars) {
    StringBuilder s = new StringBuilder(chars.size());
    chars.forEach(s::append);
    return s.toString();
  }

  /** What is wrong with the response, or null when it passes every check. */
  private static String problem(RawHttp.Response response, Request request) {
    int status = response.status();
    if (status >= 500) {
      return "answered " + status + ": " + response.text();
    }
    if (status < 400) {
      return null;
    }
    String type = response.header("content-type");
    if (type == null || !type.startsWith("application/problem+json")) {
      return "answered " + status + " as " + type + ": " + response.text();
    }
    if (request.head()) {
      return null;
    }
    JsonNode body;
    try {
      body = HttpJson.JSON.readTree(response.body());
    } catch (RuntimeException e) {
      return "answered a problem that is not JSON: " + response.text();
    }
    if (!body.path("type").asString("").startsWith(PREFIX)
        || body.path("status").asInt() != status) {
      return "answered " + status + " without our type: " + response.text();
    }
    return null;
  }

  /**
   * A generated request in parts, so that shrinking can take parts away and frame it again: the
   * header lines (Host first), a body sent with Content-Length or chunked (chunk sizes drawn from
   * {@code chunkSeed}, some written as {@code zz} when {@code brokenChunks}).
   */
  record Request(
      String method,
      String path,
      List<String> headers,
      byte[] body,
      boolean chunked,
      boolean brokenChunks,
      long chunkSeed,
      boolean brokenHead) {

    boolean head() {
      return method.equals("HEAD");
    }

    /** A request whose framing is broken leaves the connection unusable: send it on its own. */
    boolean fresh() {
      return brokenHead || brokenChunks;
    }

    Request withBody(byte[] b) {
      return new Request(method, path, headers, b, chunked, brokenChunks, chunkSeed, brokenHead);
    }

    Request withHeaders(List<String> h) {
      return new Request(
          method, path, List.copyOf(h), body, chunked, brokenChunks, chunkSeed, brokenHead);
    }

    Request withPath(String p) {
      return new Request(method, p, headers, body, chunked, brokenChunks, chunkSeed, brokenHead);
    }

    byte[] bytes() {
      var head = new StringBuilder();
      head.append(method).append(' ').append(path).append(" HTTP/1.1\r\n");
      headers.forEach(h -> head.append(h).append("\r\n"));
      ByteArrayOutputStream out = new ByteArrayOutputStream(body.length + 512);
      if (chunked && body.length > 0) {
        head.append("Transfer-Encoding: chunked\r\n\r\n");
        out.writeBytes(head.toString().getBytes(StandardCharsets.UTF_8));
        var r = new SplittableRandom(chunkSeed);
        int at = 0;
        while (at < body.length) {
          int n = Math.min(body.length - at, 1 + r.nextInt(64 * 1024));
          String size = brokenChunks && r.nextInt(3) == 0 ? "zz" : Integer.toHexString(n);
          out.writeBytes((size + "\r\n").getBytes(StandardCharsets.US_ASCII));
          out.write(body, at, n);
          out.writeBytes("\r\n".getBytes(StandardCharsets.US_ASCII));
          at += n;
        }
        out.writeBytes("0\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
      } else {
        if (body.length > 0 || !method.equals("GET")) {
          head.append("Content-Length: ").append(body.length).append("\r\n");
        }
        head.append("\r\n");
        out.writeBytes(head.toString().getBytes(StandardCharsets.UTF_8));
        out.writeBytes(body);
      }
      return out.toByteArray();
    }

    String summary() {
      return method
          + " "
          + cut(path)
          + " "
          + headers.stream().map(RestFuzzTest::cut).toList()
          + (chunked ? " chunked" : "")
          + " body="
          + body.length
          + "B "
          + cut(new String(body, 0, Math.min(body.length, 120), StandardCharsets.UTF_8));
    }
  }

  private static final String[] METHODS = {
    "POST", "POST", "POST", "POST", "GET", "GET", "GET", "PUT", "DELETE", "PATCH", "HEAD",
    "OPTIONS", "TRACE", "BREW", "get"
  };

  private static final String[] PATHS = {
    "/v1/rank",
    "/v1/rank",
    "/v1/rank",
    "/v1/interests",
    "/v1/events",
    "/v1/model",
    "/v1/demo-users",
    "/v1/users/42/interests",
    "/v1/users/{u}/interests",
    "/",
    "/error",
    "/v3/api-docs",
    "/actuator/health",
    "/v2/rank",
    "/v1",
    "/index.html",
    "/explorer"
  };

  private static final String[] CONTENT_TYPES = {
    "application/json",
    "application/json",
    "application/json",
    "application/json; charset=UTF-8",
    "application/json;charset=ISO-8859-1",
    "application/json;charset=bogus",
    "text/plain",
    "application/x-www-form-urlencoded",
    "multipart/form-data; boundary=xyz",
    "multipart/form-data",
    "application/*",
    "*/*",
    ";;;",
    "application/problem+json",
    "application/xml",
    null
  };

  private static final String[] ACCEPTS = {
    null,
    null,
    "application/json",
    "*/*",
    "text/html",
    "application/xml",
    "???",
    "application/problem+json",
    "text/html;q=0.9, */*;q=0.1"
  };

  private static byte[] gzip(byte[] body) {
    ByteArrayOutputStream out = new ByteArrayOutputStream(body.length / 2 + 64);
    try (var zip = new java.util.zip.GZIPOutputStream(out)) {
      zip.write(body);
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
    return out.toByteArray();
  }

  static Request request(SplittableRandom r) {
    String method = FuzzCases.pick(r, METHODS);
    String path = path(r);
    byte[] body = method.equals("GET") && r.nextInt(4) != 0 ? new byte[0] : body(r);
    boolean brokenHead = r.nextInt(25) == 0;
    boolean chunked = body.length > 0 && r.nextInt(5) == 0;
    boolean brokenChunks = chunked && r.nextInt(6) == 0;
    var headers = new ArrayList<String>();
    headers.add("Host: localhost");
    String contentType = FuzzCases.pick(r, CONTENT_TYPES);
    if (contentType != null) {
      headers.add("Content-Type: " + contentType);
    }
    String accept = FuzzCases.pick(r, ACCEPTS);
    if (accept != null) {
      headers.add("Accept: " + accept);
    }
    if (r.nextInt(6) == 0) {
      headers.add("X-Request-Timeout-Ms: " + timeout(r));
    }
    if (r.nextInt(8) == 0) {
      boolean gzip = r.nextBoolean();
      headers.add("Content-Encoding: " + (gzip ? "gzip" : "br"));
      if (gzip && body.length > 0 && r.nextBoolean()) {
        body = gzip(body); // really compressed, as a compressing client sends it
      }
    }
    for (int h = r.nextInt(3); h > 0; h--) {
      headers.add("X-Fuzz-" + r.nextInt(1000) + ": " + headerValue(r));
    }
    if (brokenHead) {
      headers.add(
          FuzzCases.pick(
              r,
              new String[] {
                "Bad Header: x",
                "X: \u0001",
                "NoColon",
                "Content-Length: abc",
                "Host: second",
                ": empty-name",
                "X-Long: " + "a".repeat(20_000)
              }));
    }
    return new Request(
        method, path, List.copyOf(headers), body, chunked, brokenChunks, r.nextLong(), brokenHead);
  }

  private static String cut(String s) {
    return s.length() > 120 ? s.substring(0, 120) + "..." : s;
  }

  private static String timeout(SplittableRandom r) {
    return FuzzCases.pick(
        r,
        new String[] {
          "x",
          "-1",
          "0",
          "1.5",
          "99999999999999999999",
          "3600001",
          "",
          " 10000 ",
          "30000",
          "0x10",
          "1e4"
        });
  }

  private static String headerValue(SplittableRandom r) {
    StringBuilder s = new StringBuilder();
    for (int n = r.nextInt(40); n > 0; n--) {
      s.append((char) r.nextInt(0x20, 0x7F));
    }
    return s.toString().strip();
  }

  /** A path to a real route or not, then respelled. */
  static String path(SplittableRandom r) {
    String path = FuzzCases.pick(r, PATHS);
    if (path.contains("{u}")) {
      path = path.replace("{u}", encode(FuzzCases.text(r, 20), r));
    }
    for (int m = r.nextInt(3); m > 0; m--) {
      path = respell(path, r);
    }
    if (r.nextInt(3) == 0) {
      path += "?" + query(r);
    }
    return path;
  }

  private static String respell(String path, SplittableRandom r) {
    int at = path.isEmpty() ? 0 : r.nextInt(path.length());
    return switch (r.nextInt(11)) {
      case 0 -> path.replaceFirst("/", "//");
      case 1 -> path + "/";
      case 2 -> path.replaceFirst("/v1", "/v1;x=1");
      case 3 -> path.toUpperCase();
      case 4 ->
          path.substring(0, at)
              + "%"
              + Integer.toHexString(path.charAt(at))
              + path.substring(at + 1);
      case 5 -> path.substring(0, at) + "%zz" + path.substring(at);
      case 6 -> path.replaceFirst("/", "%2F");
      case 7 -> path.substring(0, at) + "/../" + path.substring(at);
      case 8 -> path.substring(0, at) + "%" + path.substring(at);
      case 9 -> path.substring(0, at) + "%00" + path.substring(at);
      default -> path.substring(0, at) + "%E2%82" + path.substring(at);
    };
  }

  private static String query(SplittableRandom r) {
    StringBuilder q = new StringBuilder();
    for (int n = 1 + r.nextInt(3); n > 0; n--) {
      if (!q.isEmpty()) {
        q.append('&');
      }
      q.append(FuzzCases.pick(r, new String[] {"m", "projection", "k", "x", "%zz", ""}));
      q.append('=');
      q.append(
          FuzzCases.pick(
              r,
              new String[] {
                "4",
                "0",
                "-1",
                "101",
                "abc",
                "%zz",
                "%",
                "99999999999999",
                "1.5",
                "%E2%82",
                Long.toString(FuzzCases.number(r))
              }));
    }
    return q.toString();
  }

  private static String encode(String s, SplittableRandom r) {
    StringBuilder out = new StringBuilder();
    for (byte b : s.getBytes(StandardCharsets.UTF_8)) {
      int c = b & 0xff;
      if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')) {
        out.append((char) c);
      } else {
        out.append('%').append(String.format("%02X", c));
      }
    }
    return out.isEmpty() ? "u" + r.nextInt(100) : out.toString();
  }

  /** A body: mostly JSON of some shape, sometimes broken, oversized or not JSON at all. */
  static byte[] body(SplittableRandom r) {
    byte[] json =
        switch (r.nextInt(10)) {
          case 0 -> valid(r);
          case 1, 2 -> valid(r);
          case 3 -> oversized(r);
          case 4 -> deep(r);
          default -> randomObject(r, 0).getBytes(StandardCharsets.UTF_8);
        };
    return switch (r.nextInt(8)) {
      case 0 -> Arrays.copyOf(json, r.nextInt(json.length + 1)); // truncated
      case 1 -> corrupt(json, r);
      default -> json;
    };
  }

  private static byte[] valid(SplittableRandom r) {
    StringBuilder s = new StringBuilder("{\"userId\": \"42\", \"k\": ").append(1 + r.nextInt(50));
    if (r.nextBoolean()) {
      s.append(", \"candidates\": [");
      for (int n = r.nextInt(200); n > 0; n--) {
        s.append(r.nextInt(4000)).append(n > 1 ? "," : "");
      }
      s.append(']');
    }
    if (r.nextInt(3) == 0) {
      s.append(", \"explain\": true");
    }
    return s.append('}').toString().getBytes(StandardCharsets.UTF_8);
  }

  private static byte[] oversized(SplittableRandom r) {
    // Around the limit: some just under it (served or refused for their content), most over it.
    int size = LIMIT - 1024 + r.nextInt(160 * 1024);
    StringBuilder s =
        new StringBuilder(size + 32).append("{\"userId\": \"42\", \"k\": 5, \"candidates\": [1");
    while (s.length() < size) {
      s.append(",1");
    }
    return s.append("]}").toString().getBytes(StandardCharsets.UTF_8);
  }

  private static byte[] deep(SplittableRandom r) {
    int depth = 10 + r.nextInt(200);
    String open = r.nextBoolean() ? "[" : "{\"a\":";
    String close = open.equals("[") ? "]" : "}";
    return ("{\"userId\": " + open.repeat(depth) + "1" + close.repeat(depth) + "}")
        .getBytes(StandardCharsets.UTF_8);
  }

  private static byte[] corrupt(byte[] json, SplittableRandom r) {
    byte[] out = json.clone();
    for (int n = 1 + r.nextInt(4); n > 0 && out.length > 0; n--) {
      out[r.nextInt(out.length)] = (byte) r.nextInt(256);
    }
    return out;
  }

  private static final String[] KEYS = {
    "userId",
    "k",
    "candidates",
    "history",
    "userFeatures",
    "explain",
    "m",
    "projection",
    "events",
    "itemId",
    "timestamp",
    "",
    "\u0000",
    "x".repeat(300)
  };

  static String randomObject(SplittableRandom r, int depth) {
    StringBuilder s = new StringBuilder("{");
    for (int n = r.nextInt(6); n > 0; n--) {
      s.append(quote(FuzzCases.pick(r, KEYS))).append(':').append(value(r, depth + 1));
      if (n > 1) {
        s.append(',');
      }
    }
    return s.append('}').toString();
  }

  private static String value(SplittableRandom r, int depth) {
    int kind = r.nextInt(depth > 4 ? 8 : 11);
    return switch (kind) {
      case 0 -> "null";
      case 1 -> r.nextBoolean() ? "true" : "false";
      case 2 -> Long.toString(FuzzCases.number(r));
      case 3 ->
          FuzzCases.pick(
              r,
              new String[] {
                "1.5",
                "-0",
                "1e400",
                "-1e-400",
                "99999999999999999999999",
                "1" + "0".repeat(100),
                "0x10",
                "NaN",
                "Infinity",
                "01",
                "1.",
                ".5",
                "-",
                "+1"
              });
      case 4 -> quote(FuzzCases.text(r, 40));
      case 5 -> quote("s".repeat(r.nextInt(70_000)));
      case 6 -> "\"" + FuzzCases.pick(r, new String[] {"\\u12", "\\x", "\\ud800", "\\"}) + "\"";
      case 7 -> ids(r);
      case 8 -> "[" + value(r, depth + 1) + "," + value(r, depth + 1) + "]";
      default -> randomObject(r, depth);
    };
  }

  private static String ids(SplittableRandom r) {
    StringBuilder s = new StringBuilder("[");
    for (int n = r.nextInt(30); n > 0; n--) {
      s.append(FuzzCases.number(r)).append(n > 1 ? "," : "");
    }
    return s.append(']').toString();
  }

  private static String quote(String s) {
    StringBuilder out = new StringBuilder(s.length() + 2).append('"');
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c == '"' || c == '\\') {
        out.append('\\').append(c);
      } else if (c < 0x20) {
        out.append(String.format("\\u%04x", (int) c));
      } else {
        out.append(c);
      }
    }
    return out.append('"').toString();
  }
}
