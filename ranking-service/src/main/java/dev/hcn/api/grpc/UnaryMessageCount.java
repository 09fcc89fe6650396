package dev.hcn.api.grpc;

import dev.hcn.ranking.ErrorType;
import dev.hcn.ranking.RankingException;
import io.grpc.ForwardingServerCallListener;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.StatusException;

/**
 * Answers a unary call that carries no request message, or more than one, as INVALID_ARGUMENT with
 * the {@code malformed-body} type. gRPC's own unary handler answers both with INTERNAL, but only a
 * broken client sends them: they are bad input, not a server fault.
 *
 * <p>Installed outermost, so that the service never sees such a call; {@link TransportOutcomes}
 * counts it under the code it got. Listener callbacks of one call never run concurrently, so the
 * state needs no locking.
 */
final class UnaryMessageCount implements ServerInterceptor {

  @Override
  public <Q, R> ServerCall.Listener<Q> interceptCall(
      ServerCall<Q, R> call, Metadata headers, ServerCallHandler<Q, R> next) {
    if (!call.getMethodDescriptor().getType().clientSendsOneMessage()) {
      return next.startCall(call, headers);
    }
    return new ForwardingServerCallListener.SimpleForwardingServerCallListener<>(
        next.startCall(call, headers)) {
      private int messages;
      private boolean refused;

      @Override
      public void onMessage(Q message) {
        if (refused) {
          return;
        }
        if (++messages > 1) {
          refuse("a unary call carries one request message; this one sent more");
          return;
        }
        super.onMessage(message);
      }

      @Override
      public void onHalfClose() {
        if (refused) {
          return;
        }
        if (messages == 0) {
          refuse("a unary call carries one request message; this one sent none");
          return;
        }
        super.onHalfClose();
      }

      private void refuse(String why) {
        refused = true;
        StatusException status =
            GrpcErrorMapping.toStatus(new RankingException(ErrorType.MALFORMED_BODY, why));
        call.close(status.getStatus(), status.getTrailers());
      }
    };
  }
}
