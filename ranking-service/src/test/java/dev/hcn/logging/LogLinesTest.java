package dev.hcn.logging;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** Line breaks are continued with an indent, other controls escaped, and nothing else changes. */
class LogLinesTest {

  private static final String C = LogLines.CONTINUATION;

  @Test
  void everyKindOfLineBreakContinuesIndented() {
    assertThat(LogLines.contained("a\r\nb\nc\rd\u0085e\u2028f\u2029g"))
        .isEqualTo("a\n" + C + "b\n" + C + "c\n" + C + "d\n" + C + "e\n" + C + "f\n" + C + "g");
    assertThat(LogLines.contained("\n\n")).isEqualTo("\n" + C + "\n" + C);
    assertThat(LogLines.contained("\r\r\n")).isEqualTo("\n" + C + "\n" + C);
  }

  @Test
  void otherControlsAreVisibleEscapesAndTabsStay() {
    assertThat(LogLines.contained("esc\u001b[31mred\u0000del\u007f\u009b"))
        .isEqualTo("esc\\u001b[31mred\\u0000del\\u007f\\u009b");
    assertThat(LogLines.contained("a\tb")).isEqualTo("a\tb");
  }

  @Test
  void cleanTextIsReturnedAsItIs() {
    String clean = "user-42 é 中 " + "x".repeat(2000);
    assertThat(LogLines.contained(clean)).isSameAs(clean);
    assertThat(LogLines.contained(null)).isNull();
  }

  @Test
  void noCharacterStartsALineAtColumnZero() {
    for (char c = 0; c < 0x3000; c++) {
      String contained = LogLines.contained("x" + c + "2026-01-01 ERROR forged");
      assertThat(contained.lines().skip(1))
          .as("char %04x", (int) c)
          .allMatch(line -> line.startsWith(C));
      assertThat(contained).as("char %04x", (int) c).doesNotContain("\r");
    }
  }
}
