package dev.hcn.api.rest;

import dev.hcn.ranking.ModelInfo;
import dev.hcn.ranking.RankingService;
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

  private final RankingService service;

  RankController(RankingService service) {
    this.service = service;
  }

  @PostMapping(
      path = "/v1/rank",
      consumes = MediaType.APPLICATION_JSON_VALUE,
      produces = MediaType.APPLICATION_JSON_VALUE)
  RankResponse rank(
      @RequestBody RankRequest request,
      @RequestHeader(name = TIMEOUT_HEADER, required = false) String timeoutMs) {
    var context = RestRequestContext.withTimeout(TIMEOUT_HEADER, timeoutMs);
    return RankResponse.of(service.rank(request.toQuery(), context));
  }

  @GetMapping(path = "/v1/model", produces = MediaType.APPLICATION_JSON_VALUE)
  ModelInfo model() {
    return service.model();
  }
}
