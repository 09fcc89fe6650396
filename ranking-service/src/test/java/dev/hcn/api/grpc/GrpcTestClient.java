package dev.hcn.api.grpc;

import com.google.rpc.BadRequest;
import com.google.rpc.ErrorInfo;
import io.grpc.ManagedChannel;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.NettyChannelBuilder;
import io.grpc.protobuf.StatusProto;
import io.grpc.reflection.v1.ServerReflectionGrpc;
import io.grpc.reflection.v1.ServerReflectionRequest;
import io.grpc.reflection.v1.ServerReflectionResponse;
import io.grpc.reflection.v1.ServiceResponse;
import io.grpc.stub.StreamObserver;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.springframework.grpc.server.lifecycle.GrpcServerLifecycle;

/** A real Netty channel to the test's gRPC server, plus readers for the error details it sends. */
final class GrpcTestClient {

  private GrpcTestClient() {}

  static ManagedChannel channel(GrpcServerLifecycle server) {
    return NettyChannelBuilder.forAddress("localhost", server.getPort())
        .usePlaintext()
        .maxInboundMessageSize(64 * 1024 * 1024)
        .build();
  }

  static void close(ManagedChannel channel) throws InterruptedException {
    channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
  }

  /** The service names the server's reflection service (v1) lists. */
  static List<String> reflectedServices(ManagedChannel channel) throws Exception {
    CompletableFuture<List<String>> names = new CompletableFuture<>();
    StreamObserver<ServerReflectionRequest> requests =
        ServerReflectionGrpc.newStub(channel)
            .withDeadlineAfter(5, TimeUnit.SECONDS)
            .serverReflectionInfo(
                new StreamObserver<>() {
                  @Override
                  public void onNext(ServerReflectionResponse response) {
                    names.complete(
                        response.getListServicesResponse().getServiceList().stream()
                            .map(ServiceResponse::getName)
                            .toList());
                  }

                  @Override
                  public void onError(Throwable t) {
                    names.completeExceptionally(t);
                  }

                  @Override
                  public void onCompleted() {}
                });
    requests.onNext(ServerReflectionRequest.newBuilder().setListServices("").build());
    requests.onCompleted();
    return names.get(5, TimeUnit.SECONDS);
  }

  /** The stable error type slug from the status details ({@code google.rpc.ErrorInfo.reason}). */
  static Optional<String> errorType(StatusRuntimeException e) {
    return errorInfo(e).map(ErrorInfo::getReason);
  }

  /** The whole {@code google.rpc.ErrorInfo} of the status details, if any. */
  static Optional<ErrorInfo> errorInfo(StatusRuntimeException e) {
    return detail(e, ErrorInfo.class);
  }

  /** The field named by the status details ({@code google.rpc.BadRequest}), if any. */
  static Optional<String> field(StatusRuntimeException e) {
    return detail(e, BadRequest.class)
        .filter(b -> b.getFieldViolationsCount() > 0)
        .map(b -> b.getFieldViolations(0).getField());
  }

  private static <T extends com.google.protobuf.Message> Optional<T> detail(
      StatusRuntimeException e, Class<T> type) {
    com.google.rpc.Status status = StatusProto.fromThrowable(e);
    if (status == null) {
      return Optional.empty();
    }
    return status.getDetailsList().stream()
        .filter(any -> any.is(type))
        .findFirst()
        .map(
            any -> {
              try {
                return any.unpack(type);
              } catch (com.google.protobuf.InvalidProtocolBufferException ex) {
                throw new IllegalStateException(ex);
              }
            });
  }
}
