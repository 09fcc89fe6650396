package dev.hcn.api.grpc;

import com.google.protobuf.Any;
import com.google.rpc.BadRequest;
import com.google.rpc.ErrorInfo;
import dev.hcn.logging.LogSafe;
import dev.hcn.ranking.ErrorType;
import dev.hcn.ranking.RankingException;
import io.grpc.Status;
import io.grpc.StatusException;
import io.grpc.StatusRuntimeException;
import io.grpc.protobuf.StatusProto;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.grpc.server.exception.GrpcExceptionHandler;
import org.springframework.stereotype.Component;

/**
 * The one place where failures of the gRPC API become status codes. Every {@link ErrorType} has
 * exactly one code; input errors are never UNKNOWN or INTERNAL. The stable error type travels as a
 * {@code google.rpc.ErrorInfo} (reason = the REST problem slug) and the field at fault as a {@code
 * google.rpc.BadRequest} field violation, both in the standard {@code grpc-status-details-bin}
 * trailer.
 */
@Component
class GrpcErrorMapping implements GrpcExceptionHandler {

  static final String DOMAIN = "hcn.dev";

  private static final Logger log = LoggerFactory.getLogger(GrpcErrorMapping.class);

  @Override
  public StatusException handleException(Throwable error) {
    return switch (error) {
      case RankingException e -> toStatus(e);
      case StatusException e -> e;
      case StatusRuntimeException e -> new StatusException(e.getStatus(), e.getTrailers());
      default -> {
        log.error("gRPC call failed unexpectedly", LogSafe.exception(error));
        yield Status.INTERNAL.withDescription("internal error").asException();
      }
    };
  }

  static Status.Code code(ErrorType type) {
    return switch (type) {
      case INVALID_REQUEST, MALFORMED_BODY, K_OUT_OF_RANGE -> Status.Code.INVALID_ARGUMENT;
      case TOO_MANY_CANDIDATES, HISTORY_TOO_LONG, PAYLOAD_TOO_LARGE, TOO_MANY_EVENTS, OVERLOADED ->
          Status.Code.RESOURCE_EXHAUSTED;
      case NOT_READY, STORE_UNAVAILABLE -> Status.Code.UNAVAILABLE;
      case INGESTION_DISABLED -> Status.Code.FAILED_PRECONDITION;
      case DEADLINE_EXCEEDED -> Status.Code.DEADLINE_EXCEEDED;
      case CANCELLED -> Status.Code.CANCELLED;
      case NOT_FOUND -> Status.Code.NOT_FOUND;
    };
  }

  /**
   * The ranking contract names fields as REST does (camelCase); gRPC callers see the proto field
   * names (snake_case).
   */
  static String protoFieldName(String field) {
    StringBuilder out = new StringBuilder(field.length() + 4);
    for (int i = 0; i < field.length(); i++) {
      char c = field.charAt(i);
      if (Character.isUpperCase(c)) {
        out.append('_').append(Character.toLowerCase(c));
      } else {
        out.append(c);
      }
    }
    return out.toString();
  }

  static StatusException toStatus(RankingException e) {
    String field = e.field() == null ? null : protoFieldName(e.field());
    String message = e.getMessage() == null ? e.type().slug() : e.getMessage();
    String description = message;
    if (field != null) {
      // "userId is required" reads "user_id is required"; other messages get the field in front.
      description =
          message.startsWith(e.field() + " ")
              ? field + message.substring(e.field().length())
              : field + ": " + message;
    }
    com.google.rpc.Status.Builder details =
        com.google.rpc.Status.newBuilder()
            .setCode(code(e.type()).value())
            .setMessage(description)
            .addDetails(
                Any.pack(
                    ErrorInfo.newBuilder().setReason(e.type().slug()).setDomain(DOMAIN).build()));
    if (field != null) {
      details.addDetails(
          Any.pack(
              BadRequest.newBuilder()
                  .addFieldViolations(
                      BadRequest.FieldViolation.newBuilder()
                          .setField(field)
                          .setDescription(message))
                  .build()));
    }
    return StatusProto.toStatusException(details.build());
  }
}
