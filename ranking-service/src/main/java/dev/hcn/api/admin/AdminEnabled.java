package dev.hcn.api.admin;

import org.springframework.boot.autoconfigure.condition.ConditionOutcome;
import org.springframework.boot.autoconfigure.condition.SpringBootCondition;
import org.springframework.context.annotation.ConditionContext;
import org.springframework.core.type.AnnotatedTypeMetadata;

/** Matches when {@code hcn.admin.token} is set and not blank: no token, no admin routes (404). */
class AdminEnabled extends SpringBootCondition {

  static final String TOKEN = "hcn.admin.token";

  @Override
  public ConditionOutcome getMatchOutcome(
      ConditionContext context, AnnotatedTypeMetadata metadata) {
    String token = context.getEnvironment().getProperty(TOKEN);
    return token != null && !token.isBlank()
        ? ConditionOutcome.match(TOKEN + " is set")
        : ConditionOutcome.noMatch(TOKEN + " is not set: admin API off");
  }
}
