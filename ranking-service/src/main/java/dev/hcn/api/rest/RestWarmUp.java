package dev.hcn.api.rest;

import dev.hcn.logging.LogSafe;
import dev.hcn.ranking.ApiWarmUp;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.web.server.context.WebServerInitializedEvent;
import org.springframework.context.ApplicationListener;
import org.springframework.stereotype.Component;
import tools.jackson.databind.json.JsonMapper;

/** Start-up requests through the REST API: {@code POST /v1/rank} to this service's own port. */
@Component
final class RestWarmUp implements ApiWarmUp, ApplicationListener<WebServerInitializedEvent> {

  private static final Logger log = LoggerFactory.getLogger(RestWarmUp.class);

  /** Longer than any warm request takes, short enough not to hold start-up on a stuck one. */
  static final Duration TIMEOUT = Duration.ofSeconds(5);

  private final JsonMapper json;
  private volatile int port = -1;

  RestWarmUp(JsonMapper json) {
    this.json = json;
  }

  @Override
  public void onApplicationEvent(WebServerInitializedEvent event) {
    // The management server has its own namespace; the API is on the main one.
    if (event.getApplicationContext().getServerNamespace() == null) {
      port = event.getWebServer().getPort();
    }
  }

  @Override
  public String name() {
    return RestRequestContext.API;
  }

  @Override
  public void send(List<String> users, int requests) {
    if (port <= 0) {
      return;
    }
    URI rank = URI.create("http://127.0.0.1:" + port + "/v1/rank");
    try (HttpClient client = HttpClient.newBuilder().connectTimeout(TIMEOUT).build()) {
      for (int i = 0; i < requests; i++) {
        String body =
            json.writeValueAsString(Map.of("userId", users.get(i % users.size()), "k", 10));
        HttpRequest request =
            HttpRequest.newBuilder(rank)
                .timeout(TIMEOUT)
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body))
                .build();
        HttpResponse<Void> answer = client.send(request, HttpResponse.BodyHandlers.discarding());
        if (answer.statusCode() != 200) {
          log.warn("REST warm-up request answered {}; warm-up stopped", answer.statusCode());
          return;
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (Exception e) {
      log.warn("REST warm-up failed; serving without it: {}", LogSafe.text(e));
    }
  }
}
