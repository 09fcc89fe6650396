package dev.hcn.api.rest;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hcn.ServiceTest;
import java.io.ByteArrayInputStream;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.stream.Collectors;
import java.util.stream.LongStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.springframework.boot.test.web.server.LocalServerPort;

/**
 * Every kind of bad input gets RFC 9457 problem details with a stable type and a 4xx status. The
 * test context caps bodies at 256 KB and candidates at 20,000.
 */
@ServiceTest
class ProblemDetailsTest {

  @LocalServerPort int port;
  private HttpJson http;

  @BeforeEach
  void setUp() {
    http = new HttpJson(port);
  }

  static Stream<Arguments> badBodies() {
    String many =
        LongStream.rangeClosed(1, 20_001).mapToObj(Long::toString).collect(Collectors.joining(","));
    String longHistory =
        LongStream.rangeClosed(1, 1001).mapToObj(Long::toString).collect(Collectors.joining(","));
    return Stream.of(
        Arguments.of("malformed JSON", "{\"userId\": \"42\",", 400, "malformed-body", "body"),
        Arguments.of("not JSON at all", "hello", 400, "malformed-body", "body"),
        Arguments.of("empty body", "", 400, "malformed-body", "body"),
        Arguments.of(
            "k is a string", "{\"userId\": \"42\", \"k\": \"ten\"}", 400, "invalid-request", "k"),
        Arguments.of(
            "k is fractional", "{\"userId\": \"42\", \"k\": 1.5}", 400, "invalid-request", "k"),
        Arguments.of(
            "candidates is not an array",
            "{\"userId\": \"42\", \"k\": 5, \"candidates\": {}}",
            400,
            "invalid-request",
            "candidates"),
        Arguments.of(
            "candidate is not a number",
            "{\"userId\": \"42\", \"k\": 5, \"candidates\": [1, \"x\"]}",
            400,
            "invalid-request",
            "candidates[1]"),
        Arguments.of(
            "candidate is fractional",
            "{\"userId\": \"42\", \"k\": 5, \"candidates\": [1, 2, 3.5]}",
            400,
            "invalid-request",
            "candidates[2]"),
        Arguments.of(
            "candidate is null",
            "{\"userId\": \"42\", \"k\": 5, \"candidates\": [null]}",
            400,
            "invalid-request",
            "candidates[0]"),
        Arguments.of(
            "candidate beyond int64",
            "{\"userId\": \"42\", \"k\": 5, \"candidates\": [9223372036854775808]}",
            400,
            "invalid-request",
            "candidates[0]"),
        Arguments.of(
            "history entry is a string",
            "{\"k\": 5, \"history\": [\"7\"]}",
            400,
            "invalid-request",
            "history[0]"),
        Arguments.of(
            "userFeatures is not an object",
            "{\"userId\": \"42\", \"k\": 5, \"userFeatures\": [1]}",
            400,
            "invalid-request",
            "userFeatures"),
        Arguments.of("body is an array", "[1, 2]", 400, "invalid-request", "body"),
        Arguments.of("no userId and no history", "{\"k\": 5}", 400, "invalid-request", "userId"),
        Arguments.of("k missing", "{\"userId\": \"42\"}", 400, "k-out-of-range", "k"),
        Arguments.of("k zero", "{\"userId\": \"42\", \"k\": 0}", 400, "k-out-of-range", "k"),
        Arguments.of("k negative", "{\"userId\": \"42\", \"k\": -3}", 400, "k-out-of-range", "k"),
        Arguments.of(
            "k above max", "{\"userId\": \"42\", \"k\": 1001}", 400, "k-out-of-range", "k"),
        Arguments.of(
            "too many candidates",
            "{\"userId\": \"42\", \"k\": 5, \"candidates\": [" + many + "]}",
            400,
            "too-many-candidates",
            "candidates"),
        Arguments.of(
            "history too long",
            "{\"k\": 5, \"history\": [" + longHistory + "]}",
            400,
            "history-too-long",
            "history"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("badBodies")
  void badBodyIsAProblem(String name, String body, int status, String type, String field) {
    var a = http.postJson("/v1/rank", body);
    assertProblem(a, status, type);
    assertThat(a.body().get("field").asString()).isEqualTo(field);
    assertThat(a.body().get("detail").asString()).isNotBlank();
  }

  @Test
  void idListsStopAtTheLimitWhileBeingRead() {
    // 20,001 ids and then junk: the reader stops at the id past the limit and never sees the junk.
    String ids =
        LongStream.rangeClosed(1, 20_001).mapToObj(Long::toString).collect(Collectors.joining(","));
    var a =
        http.postJson(
            "/v1/rank", "{\"userId\": \"42\", \"k\": 5, \"candidates\": [" + ids + ", \"x\"]}");
    assertProblem(a, 400, "too-many-candidates");
    assertThat(a.body().get("detail").asString())
        .isEqualTo("candidates has more than 20000 ids, at most 20000 are allowed");

    // Exactly at the limit is served (unknown ids are counted, not refused).
    String atLimit =
        LongStream.rangeClosed(1, 20_000).mapToObj(Long::toString).collect(Collectors.joining(","));
    var ok =
        http.postJson(
            "/v1/rank", "{\"userId\": \"42\", \"k\": 5, \"candidates\": [" + atLimit + "]}");
    assertThat(ok.status()).isEqualTo(200);
  }

  @Test
  void oversizedBodyWithContentLengthIsRefusedBeforeParsing() {
    var a = http.postJson("/v1/rank", oversized());
    assertProblem(a, 413, "payload-too-large");
  }

  @Test
  void oversizedChunkedBodyIsRefusedWhileStreaming() {
    byte[] bytes = oversized().getBytes(StandardCharsets.UTF_8);
    // ofInputStream has no known length, so the client streams it chunked.
    var a =
        http.post(
            "/v1/rank",
            "application/json",
            HttpRequest.BodyPublishers.ofInputStream(() -> new ByteArrayInputStream(bytes)));
    assertProblem(a, 413, "payload-too-large");
  }

  @Test
  void chunkedBodyUnderTheLimitIsServed() {
    byte[] bytes = "{\"userId\": \"42\", \"k\": 3}".getBytes(StandardCharsets.UTF_8);
    var a =
        http.post(
            "/v1/rank",
            "application/json",
            HttpRequest.BodyPublishers.ofInputStream(() -> new ByteArrayInputStream(bytes)));
    assertThat(a.status()).isEqualTo(200);
  }

  @Test
  void wrongContentTypeIsAProblem() {
    var a =
        http.post(
            "/v1/rank", "text/plain", HttpRequest.BodyPublishers.ofString("{\"userId\":\"42\"}"));
    assertProblem(a, 415, "invalid-request");
  }

  @Test
  void missingContentTypeIsAProblem() {
    var a = http.post("/v1/rank", null, HttpRequest.BodyPublishers.ofString("{\"userId\":\"42\"}"));
    assertProblem(a, 415, "invalid-request");
  }

  @Test
  void unknownRouteIsAProblem() {
    assertProblem(http.get("/v1/nothing-here"), 404, "not-found");
    assertProblem(http.postJson("/v2/rank", "{}"), 404, "not-found");
  }

  @Test
  void wrongMethodIsAProblem() {
    assertProblem(http.get("/v1/rank"), 405, "not-found");
    assertProblem(http.postJson("/v1/model", "{}"), 405, "not-found");
  }

  private static String oversized() {
    char[] pad = new char[300 * 1024];
    Arrays.fill(pad, ' ');
    return "{\"userId\": \"42\", \"k\": 5" + new String(pad) + "}";
  }

  private static void assertProblem(HttpJson.Answer a, int status, String type) {
    assertThat(a.status()).as(a.raw()).isEqualTo(status);
    assertThat(a.contentType()).startsWith("application/problem+json");
    assertThat(a.body().get("type").asString()).isEqualTo("https://hcn.dev/problems/" + type);
    assertThat(a.body().get("status").asInt()).isEqualTo(status);
    assertThat(a.body().get("title").asString()).isNotBlank();
  }
}
