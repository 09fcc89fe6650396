package dev.hcn.loadtest;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import java.util.TreeMap;

/**
 * The service's own time per request, from two scrapes of its Prometheus endpoint around a run:
 * {@code hcn_rank_requests_seconds} (whole request inside the service) and {@code
 * hcn_rank_stage_seconds} per stage. Client time minus this is transport: serialisation, the
 * network stack, the server's HTTP/gRPC layers and the client's own.
 */
final class ServerMetrics {

  /** Sums and counts at one moment. */
  record Scrape(double requestSeconds, long requests, Map<String, Double> stageSeconds) {}

  /** Mean server time per request over a run, overall and per stage (nanoseconds). */
  record Delta(long requests, double meanNanos, Map<String, Double> stageMeanNanos) {}

  private final HttpClient client =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  private final URI uri;

  ServerMetrics(String url) {
    this.uri = URI.create(url);
  }

  Scrape scrape() throws IOException, InterruptedException {
    HttpResponse<String> r =
        client.send(
            HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(10)).build(),
            HttpResponse.BodyHandlers.ofString());
    if (r.statusCode() != 200) {
      throw new IOException(uri + " answered HTTP " + r.statusCode());
    }
    return parse(r.body());
  }

  static Scrape parse(String text) {
    double reqSum = 0;
    long reqCount = 0;
    Map<String, Double> stages = new TreeMap<>();
    for (String line : text.split("\n")) {
      if (line.startsWith("#") || line.isBlank()) {
        continue;
      }
      int space = line.lastIndexOf(' ');
      double value;
      try {
        value = Double.parseDouble(line.substring(space + 1).strip());
      } catch (NumberFormatException e) {
        continue;
      }
      if (line.startsWith("hcn_rank_requests_seconds_sum")) {
        reqSum += value;
      } else if (line.startsWith("hcn_rank_requests_seconds_count")) {
        reqCount += (long) value;
      } else if (line.startsWith("hcn_rank_stage_seconds_sum")) {
        String stage = label(line, "stage");
        if (stage != null) {
          stages.merge(stage, value, Double::sum);
        }
      }
    }
    return new Scrape(reqSum, reqCount, stages);
  }

  static Delta delta(Scrape before, Scrape after) {
    long n = after.requests() - before.requests();
    Map<String, Double> stages = new TreeMap<>();
    if (n > 0) {
      after
          .stageSeconds()
          .forEach(
              (stage, sum) ->
                  stages.put(
                      stage, (sum - before.stageSeconds().getOrDefault(stage, 0.0)) * 1e9 / n));
    }
    double mean = n > 0 ? (after.requestSeconds() - before.requestSeconds()) * 1e9 / n : 0;
    return new Delta(n, mean, stages);
  }

  private static String label(String line, String name) {
    String key = name + "=\"";
    int at = line.indexOf(key);
    if (at < 0) {
      return null;
    }
    int end = line.indexOf('"', at + key.length());
    return end < 0 ? null : line.substring(at + key.length(), end);
  }
}
