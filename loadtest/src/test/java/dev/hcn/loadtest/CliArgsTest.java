package dev.hcn.loadtest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import org.junit.jupiter.api.Test;

class CliArgsTest {

  @Test
  void rankWithEveryOption() throws Exception {
    CliArgs cli =
        CliArgs.parse(
            "rank",
            "--target",
            "ranker:9191",
            "--user",
            "42",
            "--k",
            "25",
            "--candidates",
            "1193, 661,914",
            "--history=3408,2355",
            "--features",
            "gender=F,age=25",
            "--explain",
            "--deadline-ms",
            "150",
            "--json");

    assertThat(cli.command()).isEqualTo(CliArgs.Command.RANK);
    assertThat(cli.target()).isEqualTo("ranker:9191");
    assertThat(cli.userId()).isEqualTo("42");
    assertThat(cli.k()).isEqualTo(25);
    assertThat(cli.candidates()).containsExactly(1193, 661, 914);
    assertThat(cli.history()).containsExactly(3408, 2355);
    assertThat(cli.features()).isEqualTo(Map.of("gender", "F", "age", "25"));
    assertThat(cli.explain()).isTrue();
    assertThat(cli.deadlineMs()).isEqualTo(150);
    assertThat(cli.json()).isTrue();
  }

  @Test
  void leftOutListsMeanWholeCatalogueAndStoredHistory() throws Exception {
    CliArgs cli = CliArgs.parse("rank", "--user", "42");

    assertThat(cli.target()).isEqualTo("localhost:9090");
    assertThat(cli.k()).isEqualTo(10);
    assertThat(cli.candidates()).isNull();
    assertThat(cli.history()).isNull();
    assertThat(cli.features()).isNull();
    assertThat(cli.explain()).isFalse();
    assertThat(cli.json()).isFalse();
    assertThat(cli.deadlineMs()).isEqualTo(5_000);
  }

  @Test
  void emptyHistoryIsSentEmptyNotLeftOut() throws Exception {
    CliArgs cli = CliArgs.parse("rank", "--history", "", "--features", "");

    assertThat(cli.history()).isNotNull().isEmpty();
    assertThat(cli.features()).isNotNull().isEmpty();
  }

  @Test
  void modelAndHelpCommands() throws Exception {
    assertThat(CliArgs.parse("model", "--target", "h:1").command())
        .isEqualTo(CliArgs.Command.MODEL);
    assertThat(CliArgs.parse("--help").command()).isEqualTo(CliArgs.Command.HELP);
  }

  @Test
  void badArgumentsNameTheOption() {
    assertThatThrownBy(() -> CliArgs.parse()).hasMessageContaining("missing command");
    assertThatThrownBy(() -> CliArgs.parse("rnak")).hasMessageContaining("unknown command: rnak");
    assertThatThrownBy(() -> CliArgs.parse("rank", "--k", "ten"))
        .isInstanceOf(Args.UsageException.class)
        .hasMessageContaining("--k must be a whole number");
    assertThatThrownBy(() -> CliArgs.parse("rank", "--k", "0")).hasMessageContaining("--k");
    assertThatThrownBy(() -> CliArgs.parse("rank", "--deadline-ms", "-5"))
        .hasMessageContaining("--deadline-ms");
    assertThatThrownBy(() -> CliArgs.parse("rank", "--candidates", "1,x,3"))
        .hasMessageContaining("--candidates")
        .hasMessageContaining("'x'");
    assertThatThrownBy(() -> CliArgs.parse("rank", "--features", "gender"))
        .hasMessageContaining("--features");
    assertThatThrownBy(() -> CliArgs.parse("rank", "--user"))
        .hasMessageContaining("--user needs a value");
    assertThatThrownBy(() -> CliArgs.parse("rank", "--colour", "red"))
        .hasMessageContaining("unknown option: --colour");
    assertThatThrownBy(() -> CliArgs.parse("model", "--user", "42"))
        .hasMessageContaining("model takes only");
  }
}
