package dev.hcn.api.rest;

import dev.hcn.ranking.ErrorType;
import java.io.IOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.catalina.connector.Request;
import org.apache.catalina.connector.Response;
import org.apache.catalina.valves.ErrorReportValve;
import org.apache.coyote.ActionCode;
import org.springframework.http.MediaType;

/**
 * Tomcat's error report, as problem details instead of an HTML page. It answers what Tomcat refuses
 * before the application sees a request (a malformed request line or header, an invalid or
 * undecodable path such as {@code %zz}, {@code %2F} or {@code /../}), and anything else that ends
 * in an error nobody wrote a body for, and counts each answer. Public with a no-argument
 * constructor, because Tomcat's host looks its error valve up by class name; the service installs
 * one that counts before the host would.
 */
public class ProblemReportValve extends ErrorReportValve {

  private final RefusedRequests refused;
  private final RefusedRequests.Server server;

  /** A valve that counts nothing, for a host that creates its own. */
  public ProblemReportValve() {
    this(null, RefusedRequests.Server.API);
  }

  ProblemReportValve(RefusedRequests refused, RefusedRequests.Server server) {
    this.refused = refused;
    this.server = server;
  }

  @Override
  protected void report(Request request, Response response, Throwable throwable) {
    int status = response.getStatus();
    // The same guards as Tomcat's own report: only errors, only when nothing was written yet.
    if (status < 400 || response.getContentWritten() > 0 || !response.setErrorReported()) {
      return;
    }
    AtomicBoolean ioAllowed = new AtomicBoolean(false);
    response.getCoyoteResponse().action(ActionCode.IS_IO_ALLOWED, ioAllowed);
    if (!ioAllowed.get()) {
      return;
    }
    ErrorType type = status >= 500 && throwable != null ? null : ProblemResponses.typeOf(status);
    if (refused != null) {
      refused.count(server, type == null ? "internal" : type.slug(), status);
    }
    byte[] body = ProblemResponses.body(status, type, ProblemResponses.detailOf(status), null);
    try {
      response.setContentType(MediaType.APPLICATION_PROBLEM_JSON_VALUE);
      response.setCharacterEncoding(StandardCharsets.UTF_8.name());
      response.setContentLength(body.length);
      Writer out = response.getReporter();
      if (out != null) {
        out.write(new String(body, StandardCharsets.UTF_8));
        response.finishResponse();
      }
    } catch (IOException | IllegalStateException e) {
      // The client is gone or the response cannot take a body any more: nothing left to answer.
    }
  }
}
