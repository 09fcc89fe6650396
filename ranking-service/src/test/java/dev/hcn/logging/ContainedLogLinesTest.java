package dev.hcn.logging;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.PatternLayout;
import ch.qos.logback.classic.spi.LoggingEvent;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Through a real logback layout with Spring Boot's pattern words, a message and exception messages
 * with line breaks in them keep every line of the event indented below its first, apart from the
 * first lines of its exceptions; frames and causes are laid out as before.
 */
class ContainedLogLinesTest {

  private static final String FORGED = "2026-01-01T00:00:00.000Z ERROR forged-by-a-caller";

  @Test
  void aForgedLineInAMessageOrAnExceptionStaysInsideItsEvent() {
    String out =
        layout("%d %-5level %logger : %m%n" + ContainedLogLines.EXCEPTION_WORD)
            .doLayout(event("bad id 'x\r\n" + FORGED + "'", chain()));

    List<String> lines = out.lines().toList();
    assertThat(lines.getFirst()).contains(" WARN  framework.Logger : bad id 'x");
    assertThat(lines).contains(LogLines.CONTINUATION + FORGED + "'");
    assertThat(lines).noneMatch(line -> line.startsWith(FORGED));
    // Column 0 holds the event's first line and its exceptions' first lines only.
    assertThat(lines.stream().skip(1).filter(line -> !line.isEmpty()))
        .allMatch(
            line ->
                Character.isWhitespace(line.charAt(0))
                    || line.startsWith("java.lang.IllegalStateException: outer")
                    || line.startsWith("Caused by: java.lang.NumberFormatException: For input"));
    assertThat(out)
        .contains(
            "Caused by: java.lang.NumberFormatException: For input string: \"7\n\t| " + FORGED)
        .contains("Suppressed: java.lang.IllegalArgumentException: hidden\n\t| " + FORGED)
        .contains("\tat dev.hcn.logging.ContainedLogLinesTest.chain");
  }

  @Test
  void aMessageWithoutLineBreaksIsLaidOutAsBefore() {
    String plain = "serving bundle hcn-ml1m (3,615 items)";
    String out = layout("%m|%msg|%message").doLayout(event(plain, null));
    assertThat(out).isEqualTo(plain + "|" + plain + "|" + plain);
  }

  private static PatternLayout layout(String pattern) {
    ContainedLogLines.install();
    PatternLayout layout = new PatternLayout();
    layout.setContext(new LoggerContext());
    layout.setPattern(pattern);
    layout.start();
    return layout;
  }

  private static LoggingEvent event(String message, Throwable thrown) {
    LoggerContext context = new LoggerContext();
    return new LoggingEvent(
        "framework.Logger",
        context.getLogger("framework.Logger"),
        Level.WARN,
        message,
        thrown,
        null);
  }

  private static Throwable chain() {
    NumberFormatException cause =
        new NumberFormatException("For input string: \"7\n" + FORGED + "\"");
    IllegalStateException outer = new IllegalStateException("outer\r" + FORGED, cause);
    outer.addSuppressed(new IllegalArgumentException("hidden\u2028" + FORGED));
    return outer;
  }
}
