package dev.hcn.api.rest;

import dev.hcn.ranking.ErrorType;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.springframework.stereotype.Component;

/**
 * Counts the HTTP requests answered before any handler ran: a body over the limit ({@link
 * BodySizeLimitFilter}), a path Spring cannot parse ({@link MalformedPathFilter}), and what Tomcat
 * itself refuses ({@link ProblemReportValve}). Neither {@code http.server.requests} nor the ranking
 * counters see them, because they end before the observation filter and the controllers.
 */
@Component
public class RefusedRequests {

  /** The server that answered, a tag: the API port or the management port. */
  public enum Server {
    API,
    MANAGEMENT;

    final String tag = name().toLowerCase(java.util.Locale.ROOT);
  }

  private final MeterRegistry registry;
  private final Map<String, Counter> counters = new ConcurrentHashMap<>();

  public RefusedRequests(MeterRegistry registry) {
    this.registry = registry;
    // The API port's usual refusals exist from the start, so that a rate of them can be alerted on.
    counter(Server.API, ErrorType.PAYLOAD_TOO_LARGE.slug(), 413);
    counter(Server.API, ErrorType.INVALID_REQUEST.slug(), 400);
  }

  /** Counts the refusal, then answers it with the problem ({@link ProblemResponses#write}). */
  void answer(
      Server server,
      HttpServletResponse response,
      int status,
      ErrorType type,
      String detail,
      String instance)
      throws IOException {
    // Counted before the answer leaves, so that a client that reads it sees the count.
    count(server, type.slug(), status);
    ProblemResponses.write(response, status, type, detail, instance);
  }

  /** Counts one refusal; {@code type} is the problem's slug ({@code internal} when it has none). */
  public void count(Server server, String type, int status) {
    counter(server, type, status).increment();
  }

  private Counter counter(Server server, String type, int status) {
    return counters.computeIfAbsent(
        server.tag + ' ' + type + ' ' + status,
        key ->
            Counter.builder("hcn.http.refused")
                .description("HTTP requests answered before any handler ran, by server and problem")
                .tag("server", server.tag)
                .tag("type", type)
                .tag("status", Integer.toString(status))
                .register(registry));
  }
}
