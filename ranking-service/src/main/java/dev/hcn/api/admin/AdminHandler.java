package dev.hcn.api.admin;

import dev.hcn.ranking.ErrorType;
import dev.hcn.ranking.ModelActivator;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.web.servlet.function.ServerRequest;
import org.springframework.web.servlet.function.ServerResponse;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.json.JsonMapper;

/**
 * {@code /admin/model}: show, swap and roll back the serving bundle. Every answer is JSON; every
 * refusal is RFC 9457 problem details with a stable {@code type}, and a refused bundle's problem
 * names the {@code check} that failed. Swaps run one at a time, in the calling thread.
 */
final class AdminHandler {

  /** The body of {@code POST /admin/model}. */
  record SwapRequest(String bundlePath) {}

  private final ModelActivator activator;
  private final BearerToken token;
  private final int maxBodyBytes;
  private final JsonMapper json;

  AdminHandler(ModelActivator activator, AdminProperties properties, JsonMapper json) {
    this.activator = activator;
    this.token = new BearerToken(properties.token());
    this.maxBodyBytes = properties.maxBodyBytes();
    this.json = json;
  }

  ServerResponse show(ServerRequest request) {
    if (!authorized(request)) {
      return unauthorized();
    }
    Map<String, Object> body = new LinkedHashMap<>();
    activator.model().ifPresent(m -> body.put("model", m));
    activator.serving().ifPresent(p -> body.put("directory", p.toString()));
    activator.previous().ifPresent(p -> body.put("previous", p.toString()));
    return ok(body);
  }

  ServerResponse swap(ServerRequest request) {
    if (!authorized(request)) {
      return unauthorized();
    }
    SwapRequest swap;
    try {
      swap = json.readValue(readBody(request), SwapRequest.class);
    } catch (BodyTooLarge e) {
      return problem(
          HttpStatus.CONTENT_TOO_LARGE, ErrorType.PAYLOAD_TOO_LARGE.slug(), e.getMessage(), null);
    } catch (JacksonException | IOException e) {
      return problem(
          HttpStatus.BAD_REQUEST,
          ErrorType.MALFORMED_BODY.slug(),
          "the body must be JSON like {\"bundlePath\": \"/path/to/bundle\"}",
          null);
    }
    if (swap == null || swap.bundlePath() == null || swap.bundlePath().isBlank()) {
      return problem(
          HttpStatus.BAD_REQUEST,
          ErrorType.INVALID_REQUEST.slug(),
          "bundlePath is required: the folder of the bundle to serve",
          Map.of("field", "bundlePath"));
    }
    Path path;
    try {
      path = Path.of(swap.bundlePath());
    } catch (InvalidPathException e) {
      return problem(
          HttpStatus.BAD_REQUEST,
          ErrorType.INVALID_REQUEST.slug(),
          "bundlePath is not a valid path: " + e.getReason(),
          Map.of("field", "bundlePath"));
    }
    return activate(() -> activator.activate(path, ModelActivator.Action.ADMIN));
  }

  ServerResponse rollback(ServerRequest request) {
    if (!authorized(request)) {
      return unauthorized();
    }
    return activate(activator::rollback);
  }

  private ServerResponse activate(java.util.function.Supplier<ModelActivator.Outcome> action) {
    try {
      ModelActivator.Outcome outcome = action.get();
      Map<String, Object> body = new LinkedHashMap<>();
      body.put("action", outcome.action().name().toLowerCase(java.util.Locale.ROOT));
      body.put("model", outcome.model());
      body.put("directory", outcome.directory().toString());
      outcome.previous().ifPresent(p -> body.put("previous", p.toString()));
      body.put("millis", outcome.millis());
      return ok(body);
    } catch (ModelActivator.Refused e) {
      return problem(
          HttpStatus.UNPROCESSABLE_CONTENT,
          "bundle-rejected",
          e.getMessage(),
          Map.of("check", e.check()));
    } catch (ModelActivator.NotAttempted e) {
      return problem(HttpStatus.CONFLICT, e.reason(), e.getMessage(), null);
    }
  }

  private boolean authorized(ServerRequest request) {
    return token.matches(request.headers().firstHeader(HttpHeaders.AUTHORIZATION));
  }

  private ServerResponse unauthorized() {
    ServerResponse.BodyBuilder answer = ServerResponse.status(HttpStatus.UNAUTHORIZED);
    answer.header(HttpHeaders.WWW_AUTHENTICATE, "Bearer realm=\"hcn-admin\"");
    return write(
        answer,
        MediaType.APPLICATION_PROBLEM_JSON,
        problemBody(
            HttpStatus.UNAUTHORIZED,
            "unauthorized",
            "the admin API needs Authorization: Bearer <HCN_ADMIN_TOKEN>",
            null));
  }

  private byte[] readBody(ServerRequest request) throws IOException {
    try (InputStream in = request.servletRequest().getInputStream()) {
      byte[] body = in.readNBytes(maxBodyBytes + 1);
      if (body.length > maxBodyBytes) {
        throw new BodyTooLarge("the body is larger than " + maxBodyBytes + " bytes");
      }
      return body;
    }
  }

  private ServerResponse ok(Map<String, Object> body) {
    return write(ServerResponse.ok(), MediaType.APPLICATION_JSON, body);
  }

  private ServerResponse problem(
      HttpStatus status, String slug, String detail, Map<String, Object> extra) {
    return write(
        ServerResponse.status(status),
        MediaType.APPLICATION_PROBLEM_JSON,
        problemBody(status, slug, detail, extra));
  }

  private static Map<String, Object> problemBody(
      HttpStatus status, String slug, String detail, Map<String, Object> extra) {
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("type", ErrorType.TYPE_PREFIX + slug);
    body.put("title", status.getReasonPhrase());
    body.put("status", status.value());
    body.put("detail", detail);
    if (extra != null) {
      body.putAll(extra);
    }
    return body;
  }

  private ServerResponse write(
      ServerResponse.BodyBuilder answer, MediaType type, Map<String, Object> body) {
    // Serialised here, not by message converters: the management child context has its own
    // (minimal) MVC setup, and the admin answers must look the same on either port.
    return answer.contentType(type).body(json.writeValueAsString(body));
  }

  private static final class BodyTooLarge extends IOException {
    BodyTooLarge(String message) {
      super(message);
    }
  }
}
