package dev.hcn.api.rest;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hcn.ServiceTest;
import dev.hcn.ranking.ErrorType;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.boot.webmvc.error.ErrorController;
import org.springframework.web.bind.annotation.RequestMethod;
import org.springframework.web.method.HandlerMethod;
import org.springframework.web.servlet.mvc.method.RequestMappingInfo;
import org.springframework.web.servlet.mvc.method.annotation.RequestMappingHandlerMapping;
import tools.jackson.databind.JsonNode;

/**
 * The OpenAPI description covers the whole REST API: every request mapping the service really
 * registers (read from Spring, so an endpoint added later is checked without editing this test),
 * each with every problem status, and every stable error type.
 */
@ServiceTest
class OpenApiTest {

  @LocalServerPort int port;

  @Autowired
  @Qualifier("requestMappingHandlerMapping")
  RequestMappingHandlerMapping mappings;

  private HttpJson http;
  private JsonNode doc;

  @BeforeEach
  void setUp() {
    http = new HttpJson(port);
    var a = http.get("/v3/api-docs");
    assertThat(a.status()).as(a.raw()).isEqualTo(200);
    doc = a.body();
  }

  @Test
  void everyEndpointOfTheServiceIsDescribedWithItsProblemResponses() {
    List<String> endpoints = serviceEndpoints();
    // The API this service has today; later ones are found the same way.
    assertThat(endpoints)
        .contains(
            "POST /v1/rank",
            "GET /v1/model",
            "GET /v1/users/{userId}/interests",
            "POST /v1/interests",
            "GET /v1/demo-users",
            "POST /v1/events");
    List<String> statuses =
        java.util.Arrays.stream(ErrorType.values())
            .map(t -> String.valueOf(ProblemDetailsAdvice.statusOf(t).value()))
            .distinct()
            .toList();
    for (String endpoint : endpoints) {
      String[] parts = endpoint.split(" ", 2);
      JsonNode op = doc.path("paths").path(parts[1]).path(parts[0].toLowerCase());
      assertThat(op.isMissingNode()).as(endpoint + " is missing from /v3/api-docs").isFalse();
      // 200 for queries, 202 for accepted events: any documented 2xx is the success answer.
      assertThat(op.path("responses").propertyNames().stream().anyMatch(s -> s.startsWith("2")))
          .as(endpoint + " success")
          .isTrue();
      for (String status : statuses) {
        JsonNode problem = op.path("responses").path(status);
        assertThat(
                problem
                    .path("content")
                    .path("application/problem+json")
                    .path("schema")
                    .path("$ref")
                    .asString())
            .as(endpoint + " problem response " + status)
            .isEqualTo("#/components/schemas/Problem");
      }
    }
  }

  @Test
  void everyProblemTypeIsDescribed() {
    JsonNode problem = doc.path("components").path("schemas").path("Problem");
    List<String> types = new ArrayList<>();
    problem.path("properties").path("type").path("enum").forEach(t -> types.add(t.asString()));
    for (ErrorType t : ErrorType.values()) {
      assertThat(types).contains(ProblemDetailsAdvice.TYPE_PREFIX + t.slug());
    }
    assertThat(problem.path("properties").has("field")).isTrue();
  }

  @Test
  void requestAndResponseBodiesAreDescribed() {
    JsonNode schemas = doc.path("components").path("schemas");
    assertThat(schemas.path("RankRequest").path("properties").has("candidates")).isTrue();
    assertThat(schemas.path("InterestReport").path("properties").has("cosine")).isTrue();
    assertThat(schemas.path("Item").path("properties").has("interestWeights")).isTrue();
  }

  @Test
  void swaggerUiIsServedFromTheJar() {
    var page = http.get("/swagger-ui/index.html");
    assertThat(page.status()).isEqualTo(200);
    assertThat(page.raw()).contains("swagger-ui-bundle.js").doesNotContain("https://");
    assertThat(http.get("/swagger-ui/swagger-ui-bundle.js").status()).isEqualTo(200);
  }

  /** "METHOD /path" of every handler the service itself maps (not the library's own). */
  private List<String> serviceEndpoints() {
    List<String> out = new ArrayList<>();
    for (Map.Entry<RequestMappingInfo, HandlerMethod> e : mappings.getHandlerMethods().entrySet()) {
      if (!e.getValue().getBeanType().getPackageName().startsWith("dev.hcn")
          // The error page answers every method Tomcat forwards to it; it is no API endpoint.
          || ErrorController.class.isAssignableFrom(e.getValue().getBeanType())) {
        continue;
      }
      var patterns = e.getKey().getPathPatternsCondition();
      assertThat(patterns).as(e.getValue().toString()).isNotNull();
      var methods = e.getKey().getMethodsCondition().getMethods();
      assertThat(methods).as("%s maps every method", e.getValue()).isNotEmpty();
      for (String path : patterns.getPatternValues()) {
        for (RequestMethod method : methods) {
          out.add(method.name() + " " + path);
        }
      }
    }
    return out;
  }
}
