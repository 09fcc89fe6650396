package dev.hcn.api.grpc;

import com.google.protobuf.Message;
import dev.hcn.ranking.ErrorType;
import dev.hcn.ranking.RankingException;
import io.grpc.MethodDescriptor;
import io.grpc.ServerMethodDefinition;
import io.grpc.ServerServiceDefinition;
import io.grpc.ServiceDescriptor;
import io.grpc.StatusRuntimeException;
import java.io.InputStream;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Turns request messages that do not parse into INVALID_ARGUMENT. gRPC parses a request before any
 * interceptor sees it and answers a parse failure with UNKNOWN; a bad payload is an input error, so
 * each request marshaller is wrapped to hand the service a per-type marker instance instead, and
 * the service rejects the marker as {@link ErrorType#MALFORMED_BODY}.
 */
final class MalformedRequests {

  /** One marker per request type, told apart from real requests by identity. */
  private static final Map<Class<?>, Object> MARKERS = new ConcurrentHashMap<>();

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

  /** Throws MALFORMED_BODY when the request is the marker of a message that did not parse. */
  static void reject(Message request) {
    if (MARKERS.get(request.getClass()) == request) {
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
    @SuppressWarnings("unchecked")
    Q marker =
        (Q)
            MARKERS.computeIfAbsent(
                parser.getMessageClass(),
                type -> ((Message) parser.getMessagePrototype()).toBuilder().build());
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
              return marker;
            }
          }
        };
    return ServerMethodDefinition.create(
        descriptor.toBuilder().setRequestMarshaller(tolerant).build(),
        method.getServerCallHandler());
  }
}
