package dev.hcn.api.admin;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hcn.AdminServiceTest;
import dev.hcn.api.rest.HttpJson;
import dev.hcn.logging.LogLines;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.slf4j.LoggerFactory;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.boot.test.web.server.LocalManagementPort;

/**
 * A caller-supplied string with CR/LF in it (here a bundle path, which the activator logs when it
 * refuses the bundle) stays on its own log line: the line break is logged as a visible escape and
 * no forged line appears in the service's output.
 */
@AdminServiceTest
@ExtendWith(OutputCaptureExtension.class)
class LogForgingTest {

  private static final String FORGED = "2026-01-01T00:00:00.000Z ERROR forged-by-a-caller";

  @LocalManagementPort int managementPort;

  @Test
  void lineBreaksInALoggedPathDoNotStartANewLine(CapturedOutput output) {
    String path = "/nonexistent-bundle\r\n" + FORGED + "\n" + FORGED + "\u0085x";
    String body = "{\"bundlePath\": " + HttpJson.JSON.writeValueAsString(path) + "}";

    HttpJson.Answer refused =
        new AdminClient(managementPort).post("/admin/model", body, AdminServiceTest.TOKEN);

    assertThat(refused.status()).isBetween(400, 499);
    String logged = output.getOut() + output.getErr();
    assertThat(logged).contains("/nonexistent-bundle\\r\\n" + FORGED + "\\n" + FORGED);
    assertThat(logged.lines()).noneMatch(line -> line.startsWith(FORGED));
    assertThat(logged).doesNotContain("\u0085");
  }

  /**
   * Text that reaches a log line without passing the service's code, as a framework's message or an
   * exception's, is kept inside its event by the logging configuration itself.
   */
  @Test
  void aFrameworkLineWithLineBreaksStaysInsideItsEvent(CapturedOutput output) {
    LoggerFactory.getLogger("org.apache.coyote.http11.Http11Processor")
        .warn(
            "Error parsing [x\r\n" + FORGED + "]",
            new IllegalArgumentException("Invalid character\n" + FORGED));

    String logged = output.getOut() + output.getErr();
    assertThat(logged)
        .contains("Error parsing [x\n" + LogLines.CONTINUATION + FORGED + "]")
        .contains("Invalid character\n" + LogLines.CONTINUATION + FORGED);
    assertThat(logged.lines()).noneMatch(line -> line.startsWith(FORGED));
  }
}
