package dev.hcn.logging;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hcn.history.FallbackReason;
import dev.hcn.history.HistoryReader;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;

/**
 * Every character that could end or fake a log line is escaped, long text is cut, and exceptions
 * whose messages quote input are logged escaped with their stack traces; a user id with CR/LF that
 * reaches a log line through a failing history source starts no line of its own.
 */
@ExtendWith(OutputCaptureExtension.class)
class LogSafeTest {

  private static final String FORGED = "2026-01-01T00:00:00.000Z ERROR forged-by-a-caller";

  @Test
  void lineBreaksAndOtherControlsAreVisibleEscapes() {
    assertThat(LogSafe.text("a\r\nb\tc")).isEqualTo("a\\r\\nb\\tc");
    assertThat(LogSafe.text("nul\u0000del\u007fnel\u0085"))
        .isEqualTo("nul\\u0000del\\u007fnel\\u0085");
    assertThat(LogSafe.text("ls\u2028ps\u2029")).isEqualTo("ls\\u2028ps\\u2029");
    assertThat(LogSafe.text("user-42 é 中")).isEqualTo("user-42 é 中");
    assertThat(LogSafe.text(null)).isEqualTo("null");
  }

  @Test
  void everyCharacterBelowSpaceAndEveryC1ControlIsEscaped() {
    for (char c = 0; c <= 0xa0; c++) {
      String text = "x" + c + "y";
      String escaped = LogSafe.text(text);
      if (c < 0x20 || (c >= 0x7f && c <= 0x9f)) {
        assertThat(escaped)
            .as("char %04x", (int) c)
            .doesNotContain(String.valueOf(c))
            .startsWith("x\\");
      } else {
        assertThat(escaped).as("char %04x", (int) c).isEqualTo(text);
      }
      assertThat(escaped.lines()).as("char %04x", (int) c).hasSize(1);
    }
  }

  @Test
  void longTextIsCutWithItsLength() {
    String cut = LogSafe.text("a".repeat(LogSafe.MAX_LENGTH + 100));
    assertThat(cut)
        .isEqualTo(
            "a".repeat(LogSafe.MAX_LENGTH) + "...(" + (LogSafe.MAX_LENGTH + 100) + " chars)");
    String escapedAndCut = LogSafe.text("\n".repeat(LogSafe.MAX_LENGTH + 1));
    assertThat(escapedAndCut)
        .startsWith("\\n\\n")
        .endsWith("...(" + (LogSafe.MAX_LENGTH + 1) + " chars)");
    assertThat(escapedAndCut.lines()).hasSize(1);
  }

  @Test
  void anExceptionQuotingInputIsCopiedEscapedWithItsStackTrace() {
    var cause = new IllegalArgumentException("bad id 7\n" + FORGED);
    var e = new IllegalStateException("lookup failed", cause);
    Throwable safe = LogSafe.exception(e);
    assertThat(safe)
        .isNotSameAs(e)
        .hasMessage(IllegalStateException.class.getName() + ": lookup failed");
    assertThat(safe.getStackTrace()).isEqualTo(e.getStackTrace());
    assertThat(safe.getCause().getMessage())
        .isEqualTo(IllegalArgumentException.class.getName() + ": bad id 7\\n" + FORGED);
    var clean = new IllegalStateException("nothing to escape");
    assertThat(LogSafe.exception(clean)).isSameAs(clean);
  }

  @Test
  void aUserIdWithLineBreaksInAFailingLookupStaysOnItsLine(CapturedOutput output) {
    String userId = "42\r\n" + FORGED + "\n" + FORGED;
    HistoryReader reader =
        HistoryReader.direct(
            id -> {
              throw new IllegalStateException("store refused the key hcn:{" + id + "}:hist");
            });

    assertThat(reader.lookup(userId).fallback()).isEqualTo(FallbackReason.HISTORY_ERROR);

    String logged = output.getOut() + output.getErr();
    assertThat(logged).contains("hcn:{42\\r\\n" + FORGED + "\\n" + FORGED + "}:hist");
    assertThat(logged.lines()).noneMatch(line -> line.startsWith(FORGED));
  }
}
