package dev.hcn.api.rest;

import dev.hcn.ranking.RankingProperties;
import java.util.List;
import org.springframework.beans.factory.config.ConfigurableBeanFactory;
import org.springframework.boot.jackson.autoconfigure.JsonMapperBuilderCustomizer;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Scope;
import tools.jackson.core.StreamReadConstraints;
import tools.jackson.core.json.JsonFactory;
import tools.jackson.databind.cfg.ContextAttributes;
import tools.jackson.databind.json.JsonMapper;

/**
 * Hands the request limits to the JSON reader, so that id lists are bounded while parsed and the
 * parser refuses deep, long or wide documents before building them.
 */
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

  /**
   * Replaces Spring Boot's builder only to give it a factory with our read constraints (a mapper
   * builder cannot change its factory); every customizer, Boot's own included, is applied as Boot
   * would.
   */
  @Bean
  @Scope(ConfigurableBeanFactory.SCOPE_PROTOTYPE)
  JsonMapper.Builder hcnJsonMapperBuilder(
      List<JsonMapperBuilderCustomizer> customizers, RestProperties properties) {
    JsonFactory factory =
        JsonFactory.builder().streamReadConstraints(readConstraints(properties)).build();
    JsonMapper.Builder builder = JsonMapper.builder(factory);
    customizers.forEach(c -> c.customize(builder));
    return builder;
  }

  static StreamReadConstraints readConstraints(RestProperties properties) {
    return StreamReadConstraints.builder()
        .maxDocumentLength(properties.maxBodySize().toBytes())
        .maxNestingDepth(properties.maxJsonNestingDepth())
        .maxNumberLength(properties.maxJsonNumberLength())
        .maxStringLength(properties.maxJsonStringLength())
        .maxNameLength(properties.maxJsonNameLength())
        .build();
  }
}
