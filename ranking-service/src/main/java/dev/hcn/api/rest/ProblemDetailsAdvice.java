package dev.hcn.api.rest;

import dev.hcn.logging.LogSafe;
import dev.hcn.ranking.ErrorType;
import dev.hcn.ranking.RankingException;
import dev.hcn.ranking.RankingMetrics;
import java.net.URI;
import org.apache.tomcat.util.http.InvalidParameterException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.TypeMismatchException;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.HttpStatusCode;
import org.springframework.http.MediaType;
import org.springframework.http.ProblemDetail;
import org.springframework.http.ResponseEntity;
import org.springframework.http.converter.HttpMessageNotReadableException;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.RestControllerAdvice;
import org.springframework.web.context.request.ServletWebRequest;
import org.springframework.web.context.request.WebRequest;
import org.springframework.web.servlet.mvc.method.annotation.ResponseEntityExceptionHandler;
import tools.jackson.core.JacksonException;
import tools.jackson.core.exc.StreamConstraintsException;
import tools.jackson.databind.DatabindException;

/**
 * The REST adapter's one error mapping: every failure becomes RFC 9457 problem details ({@code
 * application/problem+json}) with a stable {@code type} of {@code https://hcn.dev/problems/<slug>},
 * a title, the status, a detail and, for input errors, the offending {@code field}. Spring MVC's
 * own exceptions (unknown route, wrong method or content type, unreadable body) are routed through
 * the same builder by extending {@link ResponseEntityExceptionHandler}.
 */
@RestControllerAdvice
class ProblemDetailsAdvice extends ResponseEntityExceptionHandler {

  static final String TYPE_PREFIX = ErrorType.TYPE_PREFIX;
  private static final Logger log = LoggerFactory.getLogger(ProblemDetailsAdvice.class);

  private final RankingMetrics metrics;

  ProblemDetailsAdvice(RankingMetrics metrics) {
    this.metrics = metrics;
  }

  @ExceptionHandler(RankingException.class)
  ResponseEntity<Object> ranking(RankingException e, WebRequest request) {
    return problem(e.type(), statusOf(e.type()), e.getMessage(), e.field(), request);
  }

  @ExceptionHandler(Exception.class)
  ResponseEntity<Object> unexpected(Exception e, WebRequest request) {
    log.error("unexpected failure", LogSafe.exception(e));
    ProblemDetail body = ProblemDetail.forStatus(HttpStatus.INTERNAL_SERVER_ERROR);
    body.setType(URI.create(TYPE_PREFIX + "internal"));
    body.setTitle("Internal error");
    body.setDetail("the service failed to answer; see its logs");
    return respond(body, HttpStatus.INTERNAL_SERVER_ERROR, request);
  }

  /** A query string Tomcat cannot decode (such as {@code ?m=%zz}), which Tomcat 11 fails. */
  @ExceptionHandler(InvalidParameterException.class)
  ResponseEntity<Object> undecodableParameters(InvalidParameterException e, WebRequest request) {
    return problem(
        ErrorType.INVALID_REQUEST,
        HttpStatus.BAD_REQUEST,
        "the query string is not valid percent-encoded UTF-8",
        "query",
        request);
  }

  @Override
  protected ResponseEntity<Object> handleHttpMessageNotReadable(
      HttpMessageNotReadableException e,
      HttpHeaders headers,
      HttpStatusCode status,
      WebRequest request) {
    return countedIfRanking(notReadable(e, request), request);
  }

  private ResponseEntity<Object> notReadable(
      HttpMessageNotReadableException e, WebRequest request) {
    // The size cap fails the body stream, which the JSON reader wraps: look for it first.
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof BodySizeLimitFilter.BodyTooLargeException tooLarge) {
        return problem(
            ErrorType.PAYLOAD_TOO_LARGE,
            HttpStatus.CONTENT_TOO_LARGE,
            tooLarge.getMessage(),
            "body",
            request);
      }
    }
    for (Throwable t = e; t != null; t = t.getCause()) {
      // A limit the JSON reader enforced while reading (ItemIdArrayDeserializer), wrapped by it.
      if (t instanceof RankingException limit) {
        return ranking(limit, request);
      }
    }
    for (Throwable t = e; t != null; t = t.getCause()) {
      // A parser limit (RestProperties: nesting, number, string, name length), before binding.
      if (t instanceof StreamConstraintsException limit) {
        return problem(
            ErrorType.MALFORMED_BODY,
            HttpStatus.BAD_REQUEST,
            "the body exceeds a JSON limit: " + limit.getOriginalMessage(),
            "body",
            request);
      }
    }
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof DatabindException bad) {
        String field = path(bad);
        return problem(
            ErrorType.INVALID_REQUEST,
            HttpStatus.BAD_REQUEST,
            (field.isEmpty() ? "body" : field) + ": " + bad.getOriginalMessage(),
            field.isEmpty() ? "body" : field,
            request);
      }
      if (t instanceof JacksonException bad) {
        return problem(
            ErrorType.MALFORMED_BODY,
            HttpStatus.BAD_REQUEST,
            "the body is not valid JSON: " + bad.getOriginalMessage(),
            "body",
            request);
      }
    }
    return problem(
        ErrorType.MALFORMED_BODY,
        HttpStatus.BAD_REQUEST,
        "the body is missing or unreadable",
        "body",
        request);
  }

  /** A query parameter or path variable of the wrong type, such as {@code ?m=abc}: name it. */
  @Override
  protected ResponseEntity<Object> handleTypeMismatch(
      TypeMismatchException e, HttpHeaders headers, HttpStatusCode status, WebRequest request) {
    String field = e.getPropertyName();
    String type =
        e.getRequiredType() == null ? "valid" : "a " + e.getRequiredType().getSimpleName();
    return countedIfRanking(
        problem(
            ErrorType.INVALID_REQUEST,
            HttpStatus.BAD_REQUEST,
            (field == null ? "a parameter" : field) + " must be " + type + ", got " + e.getValue(),
            field,
            request),
        request);
  }

  /** Every other Spring MVC exception: keep Spring's status and detail, set our type and title. */
  @Override
  protected ResponseEntity<Object> handleExceptionInternal(
      Exception e, Object body, HttpHeaders headers, HttpStatusCode status, WebRequest request) {
    ErrorType type =
        switch (status.value()) {
          case 404, 405 -> ErrorType.NOT_FOUND;
          case 413 -> ErrorType.PAYLOAD_TOO_LARGE;
          default -> status.is4xxClientError() ? ErrorType.INVALID_REQUEST : null;
        };
    if (type == null) {
      return unexpected(e, request);
    }
    String detail = body instanceof ProblemDetail pd ? pd.getDetail() : e.getMessage();
    ResponseEntity<Object> answer = problem(type, status, detail, null, request);
    HttpStatus known = HttpStatus.resolve(status.value());
    if (known != null && answer.getBody() instanceof ProblemDetail problem) {
      // The type stays one of ours; the title says exactly what HTTP says (e.g. 405, 415).
      problem.setTitle(known.getReasonPhrase());
    }
    return countedIfRanking(
        ResponseEntity.status(status)
            .headers(headers)
            .contentType(MediaType.APPLICATION_PROBLEM_JSON)
            .body(answer.getBody()),
        request);
  }

  /**
   * A ranking request that Spring MVC refused before the controller ran (unreadable body, wrong
   * method or content type) never reaches the service, which counts all the others: count it here.
   */
  private ResponseEntity<Object> countedIfRanking(
      ResponseEntity<Object> answer, WebRequest request) {
    if (request instanceof ServletWebRequest servlet
        && RankController.RANK_PATH.equals(servlet.getRequest().getRequestURI())
        && answer.getBody() instanceof ProblemDetail problem) {
      String type = problem.getType().toString();
      metrics.rejected(
          RestRequestContext.API,
          type.startsWith(TYPE_PREFIX) ? type.substring(TYPE_PREFIX.length()) : "internal");
    }
    return answer;
  }

  static HttpStatusCode statusOf(ErrorType type) {
    return switch (type) {
      case INVALID_REQUEST,
          MALFORMED_BODY,
          K_OUT_OF_RANGE,
          TOO_MANY_CANDIDATES,
          HISTORY_TOO_LONG,
          TOO_MANY_EVENTS ->
          HttpStatus.BAD_REQUEST;
      case PAYLOAD_TOO_LARGE -> HttpStatus.CONTENT_TOO_LARGE;
      case NOT_READY, STORE_UNAVAILABLE, OVERLOADED -> HttpStatus.SERVICE_UNAVAILABLE;
      case INGESTION_DISABLED -> HttpStatus.CONFLICT;
      case DEADLINE_EXCEEDED -> HttpStatus.GATEWAY_TIMEOUT;
      // No standard code: 499 is the common "client closed request".
      case CANCELLED -> HttpStatusCode.valueOf(499);
      case NOT_FOUND -> HttpStatus.NOT_FOUND;
    };
  }

  private static String title(ErrorType type) {
    return switch (type) {
      case INVALID_REQUEST -> "Invalid request";
      case MALFORMED_BODY -> "Malformed body";
      case K_OUT_OF_RANGE -> "k out of range";
      case TOO_MANY_CANDIDATES -> "Too many candidates";
      case HISTORY_TOO_LONG -> "History too long";
      case PAYLOAD_TOO_LARGE -> "Payload too large";
      case NOT_READY -> "Not ready";
      case OVERLOADED -> "Overloaded";
      case DEADLINE_EXCEEDED -> "Deadline exceeded";
      case CANCELLED -> "Cancelled";
      case NOT_FOUND -> "Not found";
      case TOO_MANY_EVENTS -> "Too many events";
      case STORE_UNAVAILABLE -> "History store unavailable";
      case INGESTION_DISABLED -> "Ingestion disabled";
    };
  }

  private static ResponseEntity<Object> problem(
      ErrorType type, HttpStatusCode status, String detail, String field, WebRequest request) {
    ProblemDetail body = ProblemDetail.forStatus(status);
    body.setType(URI.create(TYPE_PREFIX + type.slug()));
    body.setTitle(title(type));
    body.setDetail(detail);
    if (field != null) {
      body.setProperty("field", field);
    }
    return respond(body, status, request);
  }

  private static ResponseEntity<Object> respond(
      ProblemDetail body, HttpStatusCode status, WebRequest request) {
    if (request instanceof ServletWebRequest servlet) {
      body.setInstance(ProblemResponses.instance(servlet.getRequest().getRequestURI()));
    }
    var answer = ResponseEntity.status(status).contentType(MediaType.APPLICATION_PROBLEM_JSON);
    if (status.value() == HttpStatus.SERVICE_UNAVAILABLE.value()) {
      answer.header(HttpHeaders.RETRY_AFTER, "1");
    }
    return answer.body(body);
  }

  /** The JSON path of a binding error, such as {@code k} or {@code candidates[2]}. */
  private static String path(DatabindException e) {
    StringBuilder s = new StringBuilder();
    for (JacksonException.Reference ref : e.getPath()) {
      if (ref.getPropertyName() != null) {
        if (!s.isEmpty()) {
          s.append('.');
        }
        s.append(ref.getPropertyName());
      } else if (ref.getIndex() >= 0) {
        s.append('[').append(ref.getIndex()).append(']');
      }
    }
    return s.toString();
  }
}
