package dev.hcn.api.grpc;

import dev.hcn.logging.LogSafe;
import dev.hcn.ranking.ErrorType;
import dev.hcn.ranking.RankingException;
import io.grpc.internal.GrpcUtil;
import io.netty.handler.codec.http2.Http2Headers;
import io.netty.util.AsciiString;
import java.util.regex.Pattern;

/**
 * The request headers a gRPC stream must have before gRPC's transport sees it: the checks whose
 * failure grpc-java answers with INTERNAL or a reset stream, answered here as bad input instead.
 * The path is left to gRPC, which answers a missing or unknown one with UNIMPLEMENTED.
 */
final class GrpcRequestHeaders {

  /** The HTTP status of a gRPC answer, trailers-only ones included. */
  static final int TRAILERS_ONLY = 200;

  /** gRPC's grammar: a positive integer of at most 8 digits and a unit. */
  private static final Pattern TIMEOUT = Pattern.compile("[0-9]{1,8}[HMSmun]");

  private static final Pattern ZERO = Pattern.compile("0+.");

  // gRPC's inbound headers are looked up by AsciiString only.
  static final AsciiString CONTENT_TYPE = AsciiString.cached("content-type");
  private static final AsciiString TIMEOUT_HEADER = AsciiString.cached("grpc-timeout");
  private static final AsciiString ENCODING = AsciiString.cached("grpc-encoding");

  /** What a refused stream is answered with: an HTTP status and the gRPC error. */
  record Refusal(int httpStatus, RankingException error) {}

  private GrpcRequestHeaders() {}

  /**
   * @return null when the stream may go on to gRPC, else how to answer it. HTTP 415 and 405 stay as
   *     grpc-java sends them (gRPC's protocol asks for 415), so that no plain HTTP client reads a
   *     refusal as a success; the gRPC status is in the same headers.
   */
  static Refusal check(Http2Headers headers) {
    CharSequence method = headers.method();
    if (method == null || !"POST".contentEquals(method)) {
      return new Refusal(405, invalid("gRPC calls use POST, not " + LogSafe.text(method)));
    }
    CharSequence contentType = headers.get(CONTENT_TYPE);
    if (contentType == null || !GrpcUtil.isGrpcContentType(contentType.toString())) {
      return new Refusal(
          415,
          invalid(
              "content-type must be application/grpc, got "
                  + (contentType == null ? "none" : LogSafe.text(contentType.toString()))));
    }
    CharSequence timeout = headers.get(TIMEOUT_HEADER);
    if (timeout != null) {
      if (!TIMEOUT.matcher(timeout).matches()) {
        return new Refusal(
            TRAILERS_ONLY,
            invalid(
                "grpc-timeout must be 1 to 8 digits and a unit (H, M, S, m, u, n), got "
                    + LogSafe.text(timeout.toString())));
      }
      if (ZERO.matcher(timeout).matches()) {
        return new Refusal(
            TRAILERS_ONLY,
            new RankingException(
                ErrorType.DEADLINE_EXCEEDED, "the call's grpc-timeout had passed on arrival"));
      }
    }
    return null;
  }

  /** The call declares a compression of its messages (identity is none). */
  static boolean declaresCompression(Http2Headers headers) {
    CharSequence encoding = headers.get(ENCODING);
    return encoding != null && !"identity".contentEquals(encoding);
  }

  private static RankingException invalid(String message) {
    return new RankingException(ErrorType.INVALID_REQUEST, message);
  }
}
