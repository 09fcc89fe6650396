package dev.hcn.api.rest;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** A plain JDK HTTP client against the running service. */
public final class HttpJson {

  public static final JsonMapper JSON = JsonMapper.builder().build();
  private static final HttpClient CLIENT =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  private final int port;

  public HttpJson(int port) {
    this.port = port;
  }

  public record Answer(int status, String contentType, JsonNode body, String raw) {}

  public Answer get(String path) {
    return send(HttpRequest.newBuilder(uri(path)).GET());
  }

  public Answer postJson(String path, String json) {
    return post(path, "application/json", HttpRequest.BodyPublishers.ofString(json));
  }

  Answer post(String path, String contentType, HttpRequest.BodyPublisher body) {
    var builder = HttpRequest.newBuilder(uri(path)).POST(body);
    if (contentType != null) {
      builder.header("Content-Type", contentType);
    }
    return send(builder);
  }

  public Answer send(HttpRequest.Builder request) {
    try {
      HttpResponse<String> r =
          CLIENT.send(
              request.timeout(Duration.ofSeconds(30)).build(),
              HttpResponse.BodyHandlers.ofString());
      String type = r.headers().firstValue("Content-Type").orElse("");
      JsonNode body = null;
      if (type.contains("json") && !r.body().isEmpty()) {
        body = JSON.readTree(r.body());
      }
      return new Answer(r.statusCode(), type, body, r.body());
    } catch (IOException e) {
      throw new IllegalStateException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  public URI uri(String path) {
    return URI.create("http://localhost:" + port + path);
  }
}
