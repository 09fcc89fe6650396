package dev.hcn.api.rest;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hcn.ServiceTest;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalManagementPort;
import org.springframework.boot.test.web.server.LocalServerPort;
import tools.jackson.databind.JsonNode;

/**
 * The limits hold whatever the spelling of the path, and every refusal, Tomcat's own included, is
 * problem details with a stable type. The test context caps bodies at 256 KB; the JSON limits are
 * RestProperties' defaults.
 */
@ServiceTest
class InputLimitsTest {

  @LocalServerPort int port;
  @LocalManagementPort int managementPort;
  @Autowired MeterRegistry meters;
  private RawHttp http;

  /** The count of {@code hcn.http.refused} for one server, problem type and status. */
  private double refused(String server, String type, int status) {
    Counter counter =
        meters
            .find("hcn.http.refused")
            .tag("server", server)
            .tag("type", type)
            .tag("status", Integer.toString(status))
            .counter();
    return counter == null ? 0 : counter.count();
  }

  @BeforeEach
  void connect() {
    http = new RawHttp(port);
  }

  @AfterEach
  void close() throws IOException {
    http.close();
  }

  /** REST ranking requests refused with {@code outcome}, as the ranking counters count them. */
  private long rankRejected(String outcome) {
    var timer = meters.find("hcn.rank.requests").tag("api", "rest").tag("outcome", outcome).timer();
    return timer == null ? 0 : timer.count();
  }

  private RawHttp.Response send(String method, String path, String headers, byte[] body)
      throws IOException {
    byte[] head =
        (method + " " + path + " HTTP/1.1\r\nHost: localhost\r\n" + headers + "\r\n")
            .getBytes(StandardCharsets.ISO_8859_1);
    byte[] request = Arrays.copyOf(head, head.length + body.length);
    System.arraycopy(body, 0, request, head.length, body.length);
    return http.exchange(request, method.equals("HEAD"), true);
  }

  private RawHttp.Response postJson(String path, String json) throws IOException {
    byte[] body = json.getBytes(StandardCharsets.UTF_8);
    return send(
        "POST",
        path,
        "Content-Type: application/json\r\nContent-Length: " + body.length + "\r\n",
        body);
  }

  private RawHttp.Response chunked(String path, byte[] body) throws IOException {
    var out = new java.io.ByteArrayOutputStream();
    for (int at = 0; at < body.length; at += 8192) {
      int n = Math.min(8192, body.length - at);
      out.writeBytes((Integer.toHexString(n) + "\r\n").getBytes(StandardCharsets.US_ASCII));
      out.write(body, at, n);
      out.writeBytes("\r\n".getBytes(StandardCharsets.US_ASCII));
    }
    out.writeBytes("0\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
    return send(
        "POST",
        path,
        "Content-Type: application/json\r\nTransfer-Encoding: chunked\r\n",
        out.toByteArray());
  }

  private static byte[] oversized() {
    char[] pad = new char[300 * 1024];
    Arrays.fill(pad, ' ');
    return ("{\"userId\": \"42\", \"k\": 5" + new String(pad) + "}")
        .getBytes(StandardCharsets.UTF_8);
  }

  private static JsonNode assertProblem(RawHttp.Response a, int status, String type) {
    assertThat(a.status()).as(a.text()).isEqualTo(status);
    assertThat(a.header("content-type")).startsWith("application/problem+json");
    JsonNode body = HttpJson.JSON.readTree(a.body());
    assertThat(body.get("type").asString()).isEqualTo("https://hcn.dev/problems/" + type);
    assertThat(body.get("status").asInt()).isEqualTo(status);
    assertThat(body.get("title").asString()).isNotBlank();
    return body;
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "/v1/rank", "//v1/rank", "/v1//rank", "/v1/rank/", "/v1;x=1/rank", "/v1/rank;x=1",
        "/v1/%72ank", "/V1/RANK", "/v1/interests", "/v1/events", "/v1/./rank", "/nowhere"
      })
  void aDeclaredOversizedBodyIs413OnEverySpellingOfEveryPath(String path) throws IOException {
    double before = refused("api", "payload-too-large", 413);
    byte[] body = oversized();
    var a =
        send(
            "POST",
            path,
            "Content-Type: application/json\r\nContent-Length: " + body.length + "\r\n",
            body);
    assertProblem(a, 413, "payload-too-large");
    assertThat(refused("api", "payload-too-large", 413)).isEqualTo(before + 1);
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "/v1/rank",
        "/v1;x=1/rank",
        "/v1/rank;x=1",
        "/v1/%72ank",
        "/v1/interests",
        "/v1/events"
      })
  // Spellings that route to a body-reading endpoint; the others (//v1/rank) are 404 unread.
  void aChunkedOversizedBodyIs413OnEverySpellingThatReadsIt(String path) throws IOException {
    assertProblem(chunked(path, oversized()), 413, "payload-too-large");
  }

  @Test
  void jsonReadConstraintsRefuseTheDocumentAsMalformed() throws IOException {
    String deep = "[".repeat(40) + "]".repeat(40);
    String longNumber = "1".repeat(100);
    String longString = "s".repeat(70_000);
    String longName = "n".repeat(300);
    for (String json :
        new String[] {
          "{\"userId\": \"42\", \"k\": 5, \"x\": " + deep + "}",
          "{\"userId\": \"42\", \"k\": " + longNumber + "}",
          "{\"userId\": \"" + longString + "\", \"k\": 5}",
          "{\"" + longName + "\": 1, \"userId\": \"42\", \"k\": 5}"
        }) {
      JsonNode body = assertProblem(postJson("/v1/rank", json), 400, "malformed-body");
      assertThat(body.get("detail").asString()).startsWith("the body exceeds a JSON limit");
    }
    // Within the limits the same shapes are served or refused for their content.
    assertThat(postJson("/v1/rank", "{\"userId\": \"42\", \"k\": 5, \"x\": [[[[1]]]]}").status())
        .isEqualTo(200);
  }

  @Test
  void tomcatsOwnRejectionsAreProblemDetails() throws IOException {
    double before = refused("api", "invalid-request", 400);
    long rankBefore = rankRejected("malformed-body");
    for (String target :
        new String[] {"/v1/%zz", "/v1/a%2Fb", "/v1/a%00b", "/../etc", "/v1/{}", "/v1/%E0%A4%A"}) {
      assertProblem(send("GET", target, "", new byte[0]), 400, "invalid-request");
    }
    assertProblem(
        send("GET", "/v1/model", "Bad Header: x\r\n", new byte[0]), 400, "invalid-request");
    assertProblem(send("GET", "/v1/model", "X: \u0001\r\n", new byte[0]), 400, "invalid-request");
    assertProblem(
        http.exchange("GARBAGE\r\n\r\n".getBytes(StandardCharsets.US_ASCII), false, true),
        400,
        "invalid-request");
    assertProblem(
        send(
            "POST",
            "/v1/rank",
            "Content-Type: application/json\r\nContent-Length: x\r\n",
            new byte[0]),
        400,
        "invalid-request");
    assertProblem(
        send(
            "POST",
            "/v1/rank",
            "Content-Type: application/json\r\nTransfer-Encoding: chunked\r\n",
            "zz\r\n{}\r\n0\r\n\r\n".getBytes(StandardCharsets.US_ASCII)),
        400,
        "invalid-request");
    assertProblem(send("TRACE", "/v1/model", "", new byte[0]), 405, "not-found");
    // Each one counted, though none reached a handler; the broken chunk is read by the rank
    // handler, so the ranking counters count it (and TRACE, answered by Spring, is in
    // http.server.requests).
    assertThat(refused("api", "invalid-request", 400)).isEqualTo(before + 10);
    assertThat(rankRejected("malformed-body")).isEqualTo(rankBefore + 1);
  }

  @Test
  void theManagementPortsOwnRejectionsAreProblemDetails() throws IOException {
    double before = refused("management", "invalid-request", 400);
    try (var management = new RawHttp(managementPort)) {
      for (String target : new String[] {"/actuator/%zz", "/actuator/a%00b", "/../etc"}) {
        byte[] request =
            ("GET " + target + " HTTP/1.1\r\nHost: localhost\r\n\r\n")
                .getBytes(StandardCharsets.ISO_8859_1);
        assertProblem(management.exchange(request, false, true), 400, "invalid-request");
      }
      assertProblem(
          management.exchange("GARBAGE\r\n\r\n".getBytes(StandardCharsets.US_ASCII), false, true),
          400,
          "invalid-request");
    }
    assertThat(refused("management", "invalid-request", 400)).isEqualTo(before + 4);
  }

  @Test
  void inputsThatSpringCouldNotParseAreClientErrors() throws IOException {
    double before = refused("api", "invalid-request", 400);
    assertProblem(send("GET", "/v1;x=%1/model", "", new byte[0]), 400, "invalid-request");
    assertThat(refused("api", "invalid-request", 400)).isEqualTo(before + 1);
    assertProblem(
        send("GET", "/v1/users/42/interests?m=%zz", "", new byte[0]), 400, "invalid-request");
    assertProblem(
        send(
            "POST",
            "/v1/rank",
            "Content-Type: multipart/form-data\r\nContent-Length: 3\r\n",
            "a=b".getBytes(StandardCharsets.US_ASCII)),
        415,
        "invalid-request");
    assertProblem(
        send(
            "DELETE",
            "/v1/rank",
            "Content-Type: application/x-www-form-urlencoded\r\nContent-Length: 4\r\n",
            "a=%z".getBytes(StandardCharsets.US_ASCII)),
        405,
        "not-found");
    var root = assertProblem(send("GET", "//", "", new byte[0]), 404, "not-found");
    assertThat(root.get("instance").asString()).isEqualTo("/");
  }

  @Test
  void theErrorPageAskedForDirectlyIsNoRoute() throws IOException {
    assertProblem(send("GET", "/error", "", new byte[0]), 404, "not-found");
  }
}
