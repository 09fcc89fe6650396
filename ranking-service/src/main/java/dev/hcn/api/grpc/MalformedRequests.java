package dev.hcn.api.grpc;

import com.google.protobuf.Message;
import dev.hcn.ranking.ErrorType;
import dev.hcn.ranking.RankingException;
import io.grpc.MethodDescriptor;
import io.grpc.ServerMethodDefinition;
import io.grpc.ServerServiceDefinition;
import io.grpc.ServiceDescriptor;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.io.InputStream;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Turns request messages that cannot be read into input errors. gRPC parses a request before any
 * interceptor sees it and answers a parse failure with UNKNOWN; a bad payload is an input error, so
 * each request marshaller is wrapped to hand the service a per-type marker instance instead, and
 * the service rejects the marker: {@link ErrorType#PAYLOAD_TOO_LARGE} when the message grew past
 * the inbound limit as it was decompressed (gRPC's RESOURCE_EXHAUSTED while reading), {@link
 * ErrorType#MALFORMED_BODY} for every other failure to read it (bad protobuf, a broken gzip
 * stream).
 */
final class MalformedRequests {

  /** The markers of one request type, told apart from real requests by identity. */
  private record Markers(Message malformed, Message tooLarge) {}

  private static final Map<Class<?>, Markers> MARKERS = new ConcurrentHashMap<>();

  private MalformedRequests() {}

  static ServerServiceDefinition tolerate(ServerServiceDefinition service) {
    List<ServerMethodDefinition<?, ?>> methods =
        service.getMethods().stream().<ServerMethodDefinition<?, ?>>map(m -> tolerate(m)).toList();
    ServiceDescriptor original = service.getServiceDescriptor();
    ServiceDescriptor.Builder descriptor =
        ServiceDescriptor.newBuilder(original.getName())
            .setSchemaDescriptor(original.getSchemaDescriptor());
    methods.forEach(m -> descriptor.addMethod(m.getMethodDescriptor()));
    ServerServiceDefinition.Builder out = ServerServiceDefinition.builder(descriptor.build());
    methods.forEach(out::addMethod);
    return out.build();
  }

  /** Throws when the request is the marker of a message that could not be read. */
  static void reject(Message request) {
    Markers markers = MARKERS.get(request.getClass());
    if (markers == null) {
      return;
    }
    if (markers.tooLarge() == request) {
      throw new RankingException(
          ErrorType.PAYLOAD_TOO_LARGE,
          "request is larger than the inbound message limit once decompressed");
    }
    if (markers.malformed() == request) {
      throw new RankingException(
          ErrorType.MALFORMED_BODY,
          "request is not a valid " + request.getDescriptorForType().getFullName() + " message");
    }
  }

  private static <Q, R> ServerMethodDefinition<Q, R> tolerate(ServerMethodDefinition<Q, R> method) {
    MethodDescriptor<Q, R> descriptor = method.getMethodDescriptor();
    if (!(descriptor.getRequestMarshaller()
        instanceof MethodDescriptor.PrototypeMarshaller<Q> parser)) {
      return method;
    }
    Markers markers =
        MARKERS.computeIfAbsent(
            parser.getMessageClass(),
            type -> {
              Message prototype = (Message) parser.getMessagePrototype();
              return new Markers(prototype.toBuilder().build(), prototype.toBuilder().build());
            });
    @SuppressWarnings("unchecked")
    Q marker = (Q) markers.malformed();
    @SuppressWarnings("unchecked")
    Q tooLarge = (Q) markers.tooLarge();
    MethodDescriptor.Marshaller<Q> tolerant =
        new MethodDescriptor.Marshaller<>() {
          @Override
          public InputStream stream(Q value) {
            return parser.stream(value);
          }

          @Override
          public Q parse(InputStream stream) {
            try {
              return parser.parse(stream);
            } catch (StatusRuntimeException e) {
              return e.getStatus().getCode() == Status.Code.RESOURCE_EXHAUSTED ? tooLarge : marker;
            } catch (RuntimeException e) {
              return marker; // the caller's bytes failed to read: a broken compressed stream
            }
          }
        };
    return ServerMethodDefinition.create(
        descriptor.toBuilder().setRequestMarshaller(tolerant).build(),
        method.getServerCallHandler());
  }
}
