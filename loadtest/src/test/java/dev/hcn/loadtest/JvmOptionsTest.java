package dev.hcn.loadtest;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * {@code loadtest/jvm.options}, which every documented load run passes: a flag this JVM rejects
 * would stop every such run before its first request.
 */
class JvmOptionsTest {

  private static final Path OPTIONS = Path.of("jvm.options").toAbsolutePath();

  @Test
  void theJvmStartsWithTheGeneratorsOptionsAndAppliesThem() throws Exception {
    assertThat(OPTIONS).exists();
    String java = ProcessHandle.current().info().command().orElse("java");
    Process p =
        new ProcessBuilder(java, "@" + OPTIONS, "-XX:+PrintFlagsFinal", "-version")
            .redirectErrorStream(true)
            .start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(p.exitValue()).as(out).isZero();
    for (String flag : flags()) {
      // -XX:+Name / -XX:-Name / -XX:Name=value, as PrintFlagsFinal prints the value in force.
      String body = flag.substring("-XX:".length());
      String name = body.replaceFirst("^[+-]", "").replaceFirst("=.*$", "");
      String value =
          body.startsWith("+") ? "true" : body.startsWith("-") ? "false" : body.split("=", 2)[1];
      assertThat(out).as(flag).containsPattern("\\s" + name + "\\s+=\\s+" + value + "\\s");
    }
  }

  /** The file's flags: every line that is not blank or a comment. */
  private static List<String> flags() throws IOException {
    List<String> flags =
        Files.readAllLines(OPTIONS).stream()
            .map(String::strip)
            .filter(line -> !line.isEmpty() && !line.startsWith("#"))
            .toList();
    assertThat(flags).isNotEmpty().allMatch(f -> f.startsWith("-XX:"));
    return flags;
  }
}
