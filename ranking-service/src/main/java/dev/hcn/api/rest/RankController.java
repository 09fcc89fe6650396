package dev.hcn.api.rest;

import dev.hcn.ranking.ModelInfo;
import dev.hcn.ranking.RankingException;
import dev.hcn.ranking.RankingMetrics;
import dev.hcn.ranking.RankingService;
import dev.hcn.ranking.RequestContext;
import org.springframework.http.MediaType;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RestController;

/** REST adapter: decodes JSON into the shared query and encodes the result; no rules of its own. */
@RestController
class RankController {

  static final String TIMEOUT_HEADER = "X-Request-Timeout-Ms";
  static final String RANK_PATH = "/v1/rank";

  private final RankingService service;
  private final RankingMetrics metrics;

  RankController(RankingService service, RankingMetrics metrics) {
    this.service = service;
    this.metrics = metrics;
  }

  @PostMapping(
      path = RANK_PATH,
      consumes = MediaType.APPLICATION_JSON_VALUE,
      produces = MediaType.APPLICATION_JSON_VALUE)
  RankResponse rank(
      @RequestBody RankRequest request,
      @RequestHeader(name = TIMEOUT_HEADER, required = false) String timeoutMs) {
    RequestContext context;
    try {
      context = RestRequestContext.withTimeout(TIMEOUT_HEADER, timeoutMs);
    } catch (RankingException invalidHeader) {
      // Refused before the service, which counts every other outcome.
      metrics.rejected(RestRequestContext.API, invalidHeader.type().slug());
      throw invalidHeader;
    }
    return RankResponse.of(service.rank(request.toQuery(), context));
  }

  @GetMapping(path = "/v1/model", produces = MediaType.APPLICATION_JSON_VALUE)
  ModelInfo model() {
    return service.model();
  }
}
