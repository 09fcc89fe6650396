package dev.hcn.api.rest;

import dev.hcn.interests.InterestQuery;
import dev.hcn.interests.InterestReport;
import dev.hcn.ranking.ModelInfo;
import dev.hcn.ranking.RankingService;
import java.util.List;
import org.springframework.http.MediaType;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/** REST adapter of the interests view: what the model learned about a user. */
@RestController
class InterestsController {

  private final RankingService service;

  InterestsController(RankingService service) {
    this.service = service;
  }

  @GetMapping(path = "/v1/users/{userId}/interests", produces = MediaType.APPLICATION_JSON_VALUE)
  InterestReport userInterests(
      @PathVariable String userId,
      @RequestParam(defaultValue = "" + InterestQuery.DEFAULT_M) int m,
      @RequestParam(defaultValue = "0") int projection,
      @RequestHeader(name = RankController.TIMEOUT_HEADER, required = false) String timeoutMs) {
    var context = RestRequestContext.withTimeout(RankController.TIMEOUT_HEADER, timeoutMs);
    return service.interests(new InterestQuery(userId, null, null, m, projection), context);
  }

  @PostMapping(
      path = "/v1/interests",
      consumes = MediaType.APPLICATION_JSON_VALUE,
      produces = MediaType.APPLICATION_JSON_VALUE)
  InterestReport interests(
      @RequestBody InterestsRequest request,
      @RequestHeader(name = RankController.TIMEOUT_HEADER, required = false) String timeoutMs) {
    var context = RestRequestContext.withTimeout(RankController.TIMEOUT_HEADER, timeoutMs);
    return service.interests(request.toQuery(), context);
  }

  /** Users whose histories ship with the bundle, to try the API and the explorer page on. */
  @GetMapping(path = "/v1/demo-users", produces = MediaType.APPLICATION_JSON_VALUE)
  DemoUsers demoUsers() {
    ModelInfo model = service.model();
    return new DemoUsers(
        new InterestReport.Model(model.name(), model.version()), service.demoUsers());
  }

  record DemoUsers(InterestReport.Model model, List<String> users) {}
}
