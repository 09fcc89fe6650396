package dev.hcn;

import io.grpc.CallOptions;
import io.grpc.Channel;
import io.grpc.ClientCall;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.Status;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * A unary gRPC call whose stream is open on the server before its request is sent: a call in flight
 * that the test releases when it chooses.
 */
public final class HeldCall<Q, R> {

  private final ClientCall<Q, R> call;
  private final CompletableFuture<R> answer = new CompletableFuture<>();

  private HeldCall(ClientCall<Q, R> call) {
    this.call = call;
  }

  /** Starts the call (its headers open the stream); the request waits for {@link #send}. */
  public static <Q, R> HeldCall<Q, R> open(
      Channel channel, MethodDescriptor<Q, R> method, CallOptions options) {
    HeldCall<Q, R> held = new HeldCall<>(channel.newCall(method, options));
    held.call.start(
        new ClientCall.Listener<>() {
          private R response;

          @Override
          public void onMessage(R message) {
            response = message;
          }

          @Override
          public void onClose(Status status, Metadata trailers) {
            if (status.isOk() && response != null) {
              held.answer.complete(response);
            } else {
              held.answer.completeExceptionally(status.asRuntimeException(trailers));
            }
          }
        },
        new Metadata());
    held.call.request(1);
    return held;
  }

  /** Sends the request and ends the client's side of the call. */
  public void send(Q request) {
    call.sendMessage(request);
    call.halfClose();
  }

  /** The answer; an exception carrying the status if the call failed. */
  public R answer(Duration timeout)
      throws InterruptedException, ExecutionException, TimeoutException {
    return answer.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
  }
}
