package dev.hcn.api.rest;

import dev.hcn.ranking.ErrorType;
import io.swagger.v3.oas.models.Components;
import io.swagger.v3.oas.models.OpenAPI;
import io.swagger.v3.oas.models.Operation;
import io.swagger.v3.oas.models.info.Info;
import io.swagger.v3.oas.models.media.Content;
import io.swagger.v3.oas.models.media.IntegerSchema;
import io.swagger.v3.oas.models.media.MediaType;
import io.swagger.v3.oas.models.media.ObjectSchema;
import io.swagger.v3.oas.models.media.Schema;
import io.swagger.v3.oas.models.media.StringSchema;
import io.swagger.v3.oas.models.responses.ApiResponse;
import io.swagger.v3.oas.models.responses.ApiResponses;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;
import org.springdoc.core.customizers.OpenApiCustomizer;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * The OpenAPI description at {@code /v3/api-docs} (Swagger UI at {@code /swagger-ui.html}).
 * springdoc derives the operations and bodies from the controllers; this adds what it cannot see:
 * the problem-details schema with every stable error type, and on every operation the error
 * responses, both generated from {@link ErrorType} and the one REST error mapping, so the
 * description cannot drift from what the service answers.
 */
@Configuration(proxyBeanMethods = false)
class OpenApiConfiguration {

  static final String PROBLEM = "Problem";

  @Bean
  OpenAPI rankingOpenApi() {
    return new OpenAPI()
        .info(
            new Info()
                .title("HCN coarse-ranking service")
                .version("v1")
                .description(
                    "Ranks candidates (or the whole catalogue) for a user with the HCN"
                        + " multi-interest model, and shows what the model learned about a user"
                        + " (interests). Errors are RFC 9457 problem details whose `type` is"
                        + " stable: "
                        + ProblemDetailsAdvice.TYPE_PREFIX
                        + "<slug>."));
  }

  @Bean
  OpenApiCustomizer problemResponses() {
    return api -> {
      if (api.getComponents() == null) {
        api.setComponents(new Components());
      }
      api.getComponents().addSchemas(PROBLEM, problemSchema());
      Map<Integer, List<ErrorType>> byStatus =
          Arrays.stream(ErrorType.values())
              .collect(
                  Collectors.groupingBy(
                      t -> ProblemDetailsAdvice.statusOf(t).value(),
                      TreeMap::new,
                      Collectors.toList()));
      if (api.getPaths() == null) {
        return;
      }
      api.getPaths()
          .values()
          .forEach(path -> path.readOperations().forEach(op -> addProblems(op, byStatus)));
    };
  }

  private static void addProblems(Operation op, Map<Integer, List<ErrorType>> byStatus) {
    if (op.getResponses() == null) {
      op.setResponses(new ApiResponses());
    }
    byStatus.forEach(
        (status, types) ->
            op.getResponses()
                .addApiResponse(
                    String.valueOf(status),
                    new ApiResponse()
                        .description(
                            "Problem details; type one of: "
                                + types.stream()
                                    .map(t -> ProblemDetailsAdvice.TYPE_PREFIX + t.slug())
                                    .collect(Collectors.joining(", ")))
                        .content(
                            new Content()
                                .addMediaType(
                                    org.springframework.http.MediaType
                                        .APPLICATION_PROBLEM_JSON_VALUE,
                                    new MediaType()
                                        .schema(
                                            new Schema<>()
                                                .$ref("#/components/schemas/" + PROBLEM))))));
  }

  private static Schema<?> problemSchema() {
    StringSchema type = new StringSchema();
    type.format("uri").description("Stable error type; never renamed");
    for (ErrorType t : ErrorType.values()) {
      type.addEnumItem(ProblemDetailsAdvice.TYPE_PREFIX + t.slug());
    }
    return new ObjectSchema()
        .description("RFC 9457 problem details (application/problem+json)")
        .addProperty("type", type)
        .addProperty("title", new StringSchema().description("Short, human-readable summary"))
        .addProperty("status", new IntegerSchema().description("HTTP status code"))
        .addProperty("detail", new StringSchema().description("What exactly was wrong"))
        .addProperty("instance", new StringSchema().format("uri").description("Request path"))
        .addProperty(
            "field", new StringSchema().description("The request field at fault, for input errors"))
        .required(List.of("type", "title", "status"));
  }
}
