package dev.hcn.loadtest;

import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CompletionException;

/** Asynchronous {@code POST /v1/rank} over HTTP/1.1 with the JDK client (pooled connections). */
final class RestSender implements Sender {

  private final HttpClient client;
  private final URI uri;
  private final Workload workload;
  private final int k;
  private final Duration timeout;

  /** {@code ,"candidates":[...]} per candidate list, encoded once. */
  private final byte[][] sets;

  RestSender(String baseUrl, Workload workload, int k, long deadlineMs) {
    // HTTP/1.1: the service speaks plain HTTP/1.1, so skip the h2c upgrade attempt.
    this.client =
        HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5))
            .build();
    this.uri = URI.create(baseUrl.replaceAll("/+$", "") + "/v1/rank");
    this.workload = workload;
    this.k = k;
    this.timeout = Duration.ofMillis(deadlineMs);
    this.sets = new byte[workload.setCount()][];
    for (int i = 0; i < sets.length; i++) {
      StringBuilder b = new StringBuilder(",\"candidates\":[");
      long[] ids = workload.candidateSet(i);
      for (int j = 0; j < ids.length; j++) {
        b.append(j == 0 ? "" : ",").append(ids[j]);
      }
      sets[i] = b.append(']').toString().getBytes(StandardCharsets.UTF_8);
    }
  }

  /** The JSON body of request {@code seq}. */
  byte[] body(long seq) {
    byte[] head =
        Printer.string(new StringBuilder("{\"userId\":"), workload.user(seq))
            .append(",\"k\":")
            .append(k)
            .toString()
            .getBytes(StandardCharsets.UTF_8);
    int set = workload.setOf(seq);
    ByteArrayOutputStream out =
        new ByteArrayOutputStream(head.length + 1 + (set < 0 ? 0 : sets[set].length));
    out.writeBytes(head);
    if (set >= 0) {
      out.writeBytes(sets[set]);
    }
    out.write('}');
    return out.toByteArray();
  }

  @Override
  public void send(long seq, Outcome outcome) {
    HttpRequest request =
        HttpRequest.newBuilder(uri)
            .timeout(timeout)
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofByteArray(body(seq)))
            .build();
    client
        .sendAsync(request, HttpResponse.BodyHandlers.discarding())
        .whenComplete(
            (response, error) -> {
              if (error != null) {
                Throwable cause =
                    error instanceof CompletionException && error.getCause() != null
                        ? error.getCause()
                        : error;
                outcome.failed(cause.getClass().getSimpleName());
              } else if (response.statusCode() != 200) {
                outcome.failed("HTTP_" + response.statusCode());
              } else {
                outcome.ok();
              }
            });
  }

  @Override
  public void close() {
    // HttpClient.close() needs Java 21; this jar targets 17, and its threads are daemons.
  }
}
