package dev.hcn.api.rest;

import dev.hcn.ranking.ErrorType;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.web.util.UriUtils;
import tools.jackson.databind.json.JsonMapper;

/**
 * Problem details written straight to the servlet response, for the answers given outside Spring
 * MVC (the body limit before routing, the error page, Tomcat's own rejections), in the same shape
 * and with the same types as {@link ProblemDetailsAdvice}.
 */
final class ProblemResponses {

  private static final JsonMapper JSON = JsonMapper.builder().build();

  private ProblemResponses() {}

  /** The type of an error that only has a status, as {@link ProblemDetailsAdvice} picks it. */
  static ErrorType typeOf(int status) {
    return switch (status) {
      case 404, 405 -> ErrorType.NOT_FOUND;
      case 413 -> ErrorType.PAYLOAD_TOO_LARGE;
      default -> ErrorType.INVALID_REQUEST;
    };
  }

  /** What went wrong, for an error that only has a status. */
  static String detailOf(int status) {
    return switch (status) {
      case 404 -> "no such route";
      case 405 -> "the method is not allowed on this route";
      case 413 -> "the request is too large";
      case 505 -> "only HTTP/1.1 and HTTP/2 are served";
      default -> status >= 500 ? "the request could not be served" : "the request is malformed";
    };
  }

  /**
   * The request path as a problem's {@code instance}. Never {@code null}: Spring MVC fills a
   * missing instance with the raw path itself, which fails on paths such as {@code //}. A path that
   * is no URI reference as it stands is given with its leading slashes collapsed and escaped.
   */
  static URI instance(String path) {
    try {
      return URI.create(path);
    } catch (IllegalArgumentException e) {
      String collapsed = "/" + path.replaceFirst("^/+", "");
      try {
        return URI.create(
            UriUtils.encodePath(
                UriUtils.decode(collapsed, StandardCharsets.UTF_8), StandardCharsets.UTF_8));
      } catch (IllegalArgumentException again) {
        return URI.create("/");
      }
    }
  }

  /** The problem as JSON bytes; a {@code null} type is an internal error. */
  static byte[] body(int status, ErrorType type, String detail, String instance) {
    Map<String, Object> body = new LinkedHashMap<>();
    body.put(
        "type",
        type == null ? ErrorType.TYPE_PREFIX + "internal" : ErrorType.TYPE_PREFIX + type.slug());
    HttpStatus known = HttpStatus.resolve(status);
    body.put("title", known == null ? "Error " + status : known.getReasonPhrase());
    body.put("status", status);
    if (detail != null) {
      body.put("detail", detail);
    }
    if (instance != null) {
      body.put("instance", instance);
    }
    return JSON.writeValueAsBytes(body);
  }

  /** Answers {@code status} with the problem, replacing anything buffered but not yet sent. */
  static void write(
      HttpServletResponse response, int status, ErrorType type, String detail, String instance)
      throws IOException {
    byte[] bytes = body(status, type, detail, instance);
    response.resetBuffer();
    response.setStatus(status);
    response.setContentType(MediaType.APPLICATION_PROBLEM_JSON_VALUE);
    response.setCharacterEncoding(StandardCharsets.UTF_8.name());
    response.setContentLength(bytes.length);
    response.getOutputStream().write(bytes);
    response.flushBuffer();
  }
}
