package dev.hcn.api.admin;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class BearerTokenTest {

  @Test
  void aConfiguredTokenMatchesOnlyItself() {
    BearerToken token = new BearerToken("s3cret-token");
    assertThat(token.matches("Bearer s3cret-token")).isTrue();
    assertThat(token.matches("bearer  s3cret-token ")).isTrue();
    assertThat(token.matches("Bearer s3cret-tokeN")).isFalse();
    assertThat(token.matches("s3cret-token")).isFalse();
    assertThat(token.matches(null)).isFalse();
  }

  /** The admin routes exist in every build; without a token no header may open them. */
  @Test
  void withoutAConfiguredTokenNothingMatches() {
    for (String configured : new String[] {null, "", "   "}) {
      BearerToken token = new BearerToken(configured);
      assertThat(token.matches(null)).isFalse();
      assertThat(token.matches("")).isFalse();
      assertThat(token.matches("Bearer ")).isFalse();
      assertThat(token.matches("Bearer    ")).isFalse();
      assertThat(token.matches("Bearer null")).isFalse();
    }
  }
}
