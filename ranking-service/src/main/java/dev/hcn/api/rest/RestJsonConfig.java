package dev.hcn.api.rest;

import dev.hcn.ranking.RankingProperties;
import org.springframework.boot.jackson.autoconfigure.JsonMapperBuilderCustomizer;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import tools.jackson.databind.cfg.ContextAttributes;

/** Hands the request limits to the JSON reader, so that id lists are bounded while parsed. */
@Configuration(proxyBeanMethods = false)
class RestJsonConfig {

  @Bean
  JsonMapperBuilderCustomizer hcnIdLimits(RankingProperties limits) {
    var attribute = new ItemIdArrayDeserializer.Limits(limits.maxCandidates(), limits.maxHistory());
    return builder ->
        builder.defaultAttributes(
            ContextAttributes.getEmpty()
                .withSharedAttribute(ItemIdArrayDeserializer.LIMITS, attribute));
  }
}
