package dev.hcn.api.rest;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hcn.ServiceTest;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.slf4j.bridge.SLF4JBridgeHandler;
import org.springframework.boot.logging.LogLevel;
import org.springframework.boot.logging.LoggingSystem;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.boot.test.web.server.LocalServerPort;

/**
 * Line breaks and other control characters that a caller puts where no service code sees them (the
 * request line, header names and values, chunk sizes, percent-encoded in the path) cannot start a
 * forged log line either: the server and its framework log such requests, if at all, on one line.
 * Tomcat logs only its first request-parsing error at INFO and the rest at DEBUG, so the test runs
 * with DEBUG on for Tomcat's HTTP/1.1 code, where every one is logged with the text it rejected.
 */
@ServiceTest
@ExtendWith(OutputCaptureExtension.class)
class RawRequestLogForgingTest {

  // No spaces: it must fit in a request target.
  private static final String FORGED = "2026-01-01T00:00:00.000Z_ERROR_forged-by-a-caller";
  private static final String TOMCAT_HTTP11 = "org.apache.coyote.http11";

  @LocalServerPort int port;

  private final LoggingSystem logging = LoggingSystem.get(getClass().getClassLoader());
  // Tomcat logs through java.util.logging, bridged to the service's logging: its level is set
  // there too (the logger is held, so that the level is not lost with it).
  private final java.util.logging.Logger tomcatJul =
      java.util.logging.Logger.getLogger(TOMCAT_HTTP11);

  private boolean bridgeInstalledHere;

  @BeforeEach
  void everyParsingErrorLogged() {
    // The service routes java.util.logging to its own logging when it starts; a test earlier in
    // the same JVM may have removed that bridge (the root handlers), and without it Tomcat's lines
    // would go nowhere.
    if (!SLF4JBridgeHandler.isInstalled()) {
      SLF4JBridgeHandler.install();
      bridgeInstalledHere = true;
    }
    logging.setLogLevel(TOMCAT_HTTP11, LogLevel.DEBUG);
    tomcatJul.setLevel(java.util.logging.Level.FINE);
  }

  @AfterEach
  void defaultLevel() {
    logging.setLogLevel(TOMCAT_HTTP11, null);
    tomcatJul.setLevel(null);
    if (bridgeInstalledHere) {
      SLF4JBridgeHandler.uninstall();
    }
  }

  @Test
  void controlCharactersInTheRawRequestDoNotStartALogLine(CapturedOutput output) throws Exception {
    List<String> broken =
        List.of(
            "GET /v1/ra\u000bnk\r" + FORGED + " HTTP/1.1\r\nHost: x\r\n\r\n",
            "GET /v1/rank%0d%0a" + FORGED + " HTTP/1.1\r\nHost: x\r\n\r\n",
            "GET /v1/rank?x=%0d%0a" + FORGED + " HTTP/1.1\r\nHost: x\r\n\r\n",
            "GET /v1/model HTTP/1.1\r\nHost: x\r\nX-A\u000b\n" + FORGED + ": 1\r\n\r\n",
            "GET /v1/model HTTP/1.1\r\nHost: x\r\nX-A: a\r" + FORGED + "\r\n\r\n",
            "POST /v1/rank HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                + "Transfer-Encoding: chunked\r\n\r\nZZ\r"
                + FORGED
                + "\r\n0\r\n\r\n");
    // A valid request whose user id holds the line break: an unknown user, answered 200.
    String json = "{\"userId\": \"a\\r\\n" + FORGED + "\", \"k\": 5}";
    String valid =
        "POST /v1/rank HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
            + "Content-Length: "
            + json.length()
            + "\r\n\r\n"
            + json;

    try (RawHttp http = new RawHttp(port)) {
      for (String request : broken) {
        assertThat(send(http, request).status()).as(request).isBetween(400, 499);
      }
      assertThat(send(http, valid).status()).as(valid).isEqualTo(200);
    }

    String logged = output.getOut() + output.getErr();
    assertThat(logged).as("a rejected request line is logged with its text").contains(FORGED);
    assertThat(logged.lines()).noneMatch(line -> line.startsWith(FORGED));
  }

  private static RawHttp.Response send(RawHttp http, String request) throws Exception {
    return http.exchange(request.getBytes(StandardCharsets.ISO_8859_1), false, true);
  }
}
