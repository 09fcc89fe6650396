package dev.hcn.loadtest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

/** The parser both command-line tools share. */
class ArgsTest {

  private static final Args.Spec SPEC =
      new Args.Spec().flags("--json").options("--rate", "--duration", "--users", "--ids");

  @Test
  void valuesFlagsAndEqualsSpelling() throws Exception {
    Args a = SPEC.parse(new String[] {"cmd", "--rate=250.5", "--json", "--users", "1, 2"}, 1);

    assertThat(a.positiveDouble("--rate", 1)).isEqualTo(250.5);
    assertThat(a.flag("--json")).isTrue();
    assertThat(a.list("--users")).containsExactly("1", "2");
    assertThat(a.has("--duration")).isFalse();
    assertThat(a.duration("--duration", Duration.ofSeconds(7))).hasSeconds(7);
    assertThat(a.ids("--ids")).isNull();
    assertThat(a.given("--rate", "--duration", "--json")).containsExactly("--rate", "--json");
  }

  @Test
  void theLastOfARepeatedOptionWins() throws Exception {
    Args a = SPEC.parse(new String[] {"--rate", "1", "--rate", "2"}, 0);
    assertThat(a.positiveDouble("--rate", 9)).isEqualTo(2);
  }

  @Test
  void durationsTakeUnits() throws Exception {
    assertThat(Args.parseDuration("--d", "30s")).isEqualTo(Duration.ofSeconds(30));
    assertThat(Args.parseDuration("--d", "500ms")).isEqualTo(Duration.ofMillis(500));
    assertThat(Args.parseDuration("--d", "2m")).isEqualTo(Duration.ofMinutes(2));
    assertThat(Args.parseDuration("--d", "1.5")).isEqualTo(Duration.ofMillis(1500));
    assertThat(Args.parseDuration("--d", "250us")).isEqualTo(Duration.ofNanos(250_000));
    assertThat(Args.parseDuration("--d", "0")).isZero();
    assertThatThrownBy(() -> Args.parseDuration("--d", "soon"))
        .hasMessageContaining("--d takes a duration");
    assertThatThrownBy(() -> Args.parseDuration("--d", "-1s")).hasMessageContaining("negative");
  }

  @Test
  void errorsNameTheOption() {
    assertThatThrownBy(() -> SPEC.parse(new String[] {"--speed", "1"}, 0))
        .isInstanceOf(Args.UsageException.class)
        .hasMessage("unknown option: --speed");
    assertThatThrownBy(() -> SPEC.parse(new String[] {"--speed=1"}, 0))
        .hasMessage("unknown option: --speed");
    assertThatThrownBy(() -> SPEC.parse(new String[] {"--rate"}, 0))
        .hasMessage("--rate needs a value");
    assertThatThrownBy(
            () -> SPEC.parse(new String[] {"--rate", "0"}, 0).positiveDouble("--rate", 1))
        .hasMessageContaining("--rate must be positive");
    assertThatThrownBy(
            () -> SPEC.parse(new String[] {"--rate", "NaN"}, 0).positiveDouble("--rate", 1))
        .hasMessageContaining("--rate must be positive");
    assertThatThrownBy(() -> SPEC.parse(new String[] {"--users", "1,,2"}, 0).list("--users"))
        .hasMessageContaining("no empty entry");
    assertThatThrownBy(() -> SPEC.parse(new String[] {"--ids", "1,x"}, 0).ids("--ids"))
        .hasMessageContaining("'x'");
  }
}
