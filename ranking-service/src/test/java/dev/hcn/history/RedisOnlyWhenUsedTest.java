package dev.hcn.history;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.springframework.boot.SpringApplication;
import org.springframework.mock.env.MockEnvironment;

/** Redis auto-configuration is left out exactly when the history source is not Redis. */
class RedisOnlyWhenUsedTest {

  private static String excludes(MockEnvironment environment) {
    new RedisOnlyWhenUsed().postProcessEnvironment(environment, new SpringApplication());
    return environment.getProperty(RedisOnlyWhenUsed.EXCLUDE, "");
  }

  @Test
  void theEmbeddedSourceDefaultLeavesRedisOutAndKeepsTheUsersExcludes() {
    var environment = new MockEnvironment().withProperty(RedisOnlyWhenUsed.EXCLUDE, "a.B,c.D");
    List<String> excluded = List.of(excludes(environment).split(","));
    assertThat(excluded).startsWith("a.B", "c.D");
    assertThat(excluded).containsAll(RedisOnlyWhenUsed.REDIS_AUTO_CONFIGURATIONS);
    assertThat(List.of(excludes(new MockEnvironment()).split(",")))
        .containsExactlyElementsOf(RedisOnlyWhenUsed.REDIS_AUTO_CONFIGURATIONS);
  }

  @Test
  void theRedisSourceKeepsRedisInWhateverItsSpelling() {
    for (String spelling : List.of("redis", "REDIS", " Redis ")) {
      var environment = new MockEnvironment().withProperty("hcn.history.source", spelling);
      assertThat(excludes(environment)).isEmpty();
    }
  }
}
