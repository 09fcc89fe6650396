package dev.hcn.api.grpc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import dev.hcn.ServiceTest;
import dev.hcn.api.grpc.v1.Event;
import dev.hcn.api.grpc.v1.GetInterestsRequest;
import dev.hcn.api.grpc.v1.GetModelRequest;
import dev.hcn.api.grpc.v1.IngestRequest;
import dev.hcn.api.grpc.v1.ItemIds;
import dev.hcn.api.grpc.v1.RankRequest;
import dev.hcn.api.grpc.v1.RankingGrpc;
import dev.hcn.api.grpc.v1.UserFeatures;
import dev.hcn.events.EventsProperties;
import dev.hcn.fuzz.FuzzCases;
import dev.hcn.fuzz.Shrink;
import dev.hcn.ranking.RankingProperties;
import io.grpc.CallOptions;
import io.grpc.ClientInterceptors;
import io.grpc.ConnectivityState;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.ClientCalls;
import io.grpc.stub.MetadataUtils;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;

/**
 * Generated messages sent as raw bytes to every method of the real gRPC server: well-formed ones
 * with random field values (huge, negative, over every limit), then truncated, corrupted, padded,
 * replaced by garbage or made larger than the inbound limit; some gzip-compressed on the wire, some
 * to methods that do not exist. Every answer is OK or a client-error status; our own refusals carry
 * the stable type, the connection survives, and the service still ranks afterwards.
 */
@ServiceTest
class GrpcFuzzTest extends GrpcChannelTest {

  /** What bad input may get; never UNKNOWN, INTERNAL, UNAVAILABLE (a dropped connection) etc. */
  private static final Set<Status.Code> ALLOWED =
      EnumSet.of(
          Status.Code.OK,
          Status.Code.INVALID_ARGUMENT,
          Status.Code.RESOURCE_EXHAUSTED,
          Status.Code.FAILED_PRECONDITION,
          Status.Code.NOT_FOUND);

  private static final MethodDescriptor.Marshaller<byte[]> BYTES =
      new MethodDescriptor.Marshaller<>() {
        @Override
        public InputStream stream(byte[] value) {
          return new ByteArrayInputStream(value);
        }

        @Override
        public byte[] parse(InputStream stream) {
          try {
            return stream.readAllBytes();
          } catch (IOException e) {
            throw new UncheckedIOException(e);
          }
        }
      };

  private static final List<MethodDescriptor<byte[], byte[]>> METHODS =
      List.of(
          RankingGrpc.getRankMethod().toBuilder(BYTES, BYTES).build(),
          RankingGrpc.getRankMethod().toBuilder(BYTES, BYTES).build(),
          RankingGrpc.getGetInterestsMethod().toBuilder(BYTES, BYTES).build(),
          RankingGrpc.getIngestMethod().toBuilder(BYTES, BYTES).build(),
          RankingGrpc.getGetModelMethod().toBuilder(BYTES, BYTES).build());

  /** Calls tried when shrinking a failure, per part of the call. */
  private static final int SHRINK_BUDGET = 200;

  @Autowired GrpcApiProperties api;
  @Autowired RankingProperties ranking;
  @Autowired EventsProperties events;

  @Test
  void noGeneratedMessageGetsAServerErrorOrDropsTheConnection() {
    long seed = FuzzCases.seed();
    int cases = FuzzCases.cases();
    var codes = new TreeMap<Status.Code, Integer>();
    int overSizeLimit = 0;
    for (int i = 0; i < cases; i++) {
      Call call = call(FuzzCases.random(seed, i));
      Outcome outcome = outcome(call);
      codes.merge(outcome.code(), 1, Integer::sum);
      overSizeLimit += outcome.overSizeLimit() ? 1 : 0;
      if (outcome.failure() != null) {
        Call shrunk =
            shrink(
                call,
                c -> {
                  Outcome o = outcome(c);
                  return o.failure() != null && o.code() == outcome.code();
                });
        fail(
            "%s: %s %s\nshrunk to %s",
            FuzzCases.name(seed, i), call.summary(), outcome.failure(), shrunk.summary());
      }
    }
    assertThat(channel.getState(false)).isEqualTo(ConnectivityState.READY);
    assertThat(codes)
        .containsKeys(
            Status.Code.OK,
            Status.Code.INVALID_ARGUMENT,
            Status.Code.RESOURCE_EXHAUSTED,
            Status.Code.UNIMPLEMENTED);
    assertThat(overSizeLimit).as("calls refused by the inbound size limit").isPositive();
    var ranked =
        RankingGrpc.newBlockingStub(channel)
            .withDeadlineAfter(30, TimeUnit.SECONDS)
            .rank(RankRequest.newBuilder().setUserId("42").setK(5).build());
    assertThat(ranked.getItemsCount()).as("a normal rank after %s", codes).isEqualTo(5);
  }

  /**
   * The shrinking that a failure report goes through, with a property that the inbound size limit
   * breaks ("the transport refuses no message for its size"): it must find a message of exactly one
   * byte over the limit and drop every extra header.
   */
  @Test
  void aFailureIsShrunkToItsCause() {
    int limit = GrpcMessageLimit.inboundBytes(api, ranking, events);
    long seed = FuzzCases.DEFAULT_SEED; // the demonstration is of one known run
    for (int i = 0; i < FuzzCases.cases(); i++) {
      Call call = call(FuzzCases.random(seed, i));
      if (!call.unknownMethod() && !call.gzip() && !call.headers().isEmpty() && overLimit(call)) {
        Call shrunk = shrink(call, this::overLimit);
        assertThat(overLimit(shrunk)).isTrue();
        assertThat(shrunk.message()).as("from %s", call.summary()).hasSize(limit + 1);
        assertThat(shrunk.headers()).isEmpty();
        return;
      }
    }
    fail("no generated call with headers was over the inbound limit");
  }

  private boolean overLimit(Call call) {
    try {
      send(call);
      return false;
    } catch (StatusRuntimeException e) {
      return transportSizeLimit(e);
    }
  }

  /** A generated call in parts, so that shrinking can take parts away. */
  record Call(
      MethodDescriptor<byte[], byte[]> method,
      boolean unknownMethod,
      boolean gzip,
      List<Map.Entry<String, String>> headers,
      byte[] message) {

    Call withMessage(byte[] m) {
      return new Call(method, unknownMethod, gzip, headers, m);
    }

    Call withHeaders(List<Map.Entry<String, String>> h) {
      return new Call(method, unknownMethod, gzip, List.copyOf(h), message);
    }

    String summary() {
      return method.getFullMethodName()
          + (gzip ? " gzip" : "")
          + " headers "
          + headers.stream().map(h -> h.getKey() + ": " + h.getValue()).toList()
          + " with "
          + message.length
          + " bytes "
          + hex(message);
    }
  }

  /** The status of one call, and what is wrong with it (null when it passes every check). */
  record Outcome(Status.Code code, String failure, boolean overSizeLimit) {
    Outcome(Status.Code code, String failure) {
      this(code, failure, false);
    }
  }

  private Call call(SplittableRandom r) {
    int limit = GrpcMessageLimit.inboundBytes(api, ranking, events);
    boolean unknownMethod = r.nextInt(20) == 0;
    MethodDescriptor<byte[], byte[]> method =
        unknownMethod ? unknownMethod(r) : METHODS.get(r.nextInt(METHODS.size()));
    boolean gzip = r.nextInt(4) == 0;
    byte[] message = mutate(message(method, r), limit, r);
    var headers = new ArrayList<Map.Entry<String, String>>();
    for (int h = r.nextInt(3); h > 0; h--) {
      headers.add(Map.entry("x-fuzz-" + r.nextInt(100), printable(r, 200)));
    }
    return new Call(method, unknownMethod, gzip, List.copyOf(headers), message);
  }

  private void send(Call call) {
    CallOptions options = CallOptions.DEFAULT.withDeadlineAfter(30, TimeUnit.SECONDS);
    if (call.gzip()) {
      options = options.withCompression("gzip");
    }
    Metadata headers = new Metadata();
    call.headers()
        .forEach(
            h ->
                headers.put(
                    Metadata.Key.of(h.getKey(), Metadata.ASCII_STRING_MARSHALLER), h.getValue()));
    ClientCalls.blockingUnaryCall(
        ClientInterceptors.intercept(channel, MetadataUtils.newAttachHeadersInterceptor(headers)),
        call.method(),
        options,
        call.message());
  }

  private Outcome outcome(Call call) {
    try {
      send(call);
    } catch (StatusRuntimeException e) {
      Status.Code code = e.getStatus().getCode();
      if (call.unknownMethod()) {
        // gRPC's own answer, or the frame guard's to a message over the limit, whichever comes
        // first: both before any service code runs.
        boolean expected = code == Status.Code.UNIMPLEMENTED || transportSizeLimit(e);
        return new Outcome(code, expected ? null : "answered " + e.getStatus());
      }
      if (!ALLOWED.contains(code)) {
        return new Outcome(code, "answered " + e.getStatus());
      }
      if (transportSizeLimit(e)) {
        return new Outcome(code, null, true);
      }
      if (GrpcTestClient.errorType(e).isEmpty()) {
        return new Outcome(code, "answered " + e.getStatus() + " without a stable type");
      }
      return new Outcome(code, null);
    }
    return new Outcome(Status.Code.OK, call.unknownMethod() ? "answered OK" : null);
  }

  /** The call with its message, then its headers shrunk while it still {@code fails}. */
  private static Call shrink(Call call, Predicate<Call> fails) {
    Call c = call;
    Call withMessage = c;
    c =
        c.withMessage(
            Shrink.bytes(c.message(), m -> fails.test(withMessage.withMessage(m)), SHRINK_BUDGET));
    Call withHeaders = c;
    return c.withHeaders(
        Shrink.list(c.headers(), h -> fails.test(withHeaders.withHeaders(h)), SHRINK_BUDGET));
  }

  /** A method of the service that does not exist, or of a service that does not exist. */
  private static MethodDescriptor<byte[], byte[]> unknownMethod(SplittableRandom r) {
    String service =
        r.nextBoolean() ? RankingGrpc.SERVICE_NAME : "hcn.fuzz.v" + r.nextInt(10) + ".Nothing";
    return MethodDescriptor.<byte[], byte[]>newBuilder(BYTES, BYTES)
        .setType(MethodDescriptor.MethodType.UNARY)
        .setFullMethodName(
            MethodDescriptor.generateFullMethodName(service, "Fuzz" + r.nextInt(1000)))
        .build();
  }

  /**
   * The refusal of a message over the inbound limit, on its length prefix, before any service code
   * runs ({@link GrpcFrameGuard}).
   */
  private static boolean transportSizeLimit(StatusRuntimeException e) {
    return e.getStatus().getCode() == Status.Code.RESOURCE_EXHAUSTED
        && GrpcTestClient.errorType(e).filter("payload-too-large"::equals).isPresent()
        && String.valueOf(e.getStatus().getDescription()).contains("exceeds maximum size");
  }

  private static byte[] message(MethodDescriptor<byte[], byte[]> method, SplittableRandom r) {
    return switch (method.getBareMethodName()) {
      case "Rank" -> rank(r).toByteArray();
      case "GetInterests" -> interests(r).toByteArray();
      case "Ingest" -> ingest(r).toByteArray();
      default -> GetModelRequest.getDefaultInstance().toByteArray();
    };
  }

  private static RankRequest rank(SplittableRandom r) {
    RankRequest.Builder b = RankRequest.newBuilder();
    if (r.nextInt(5) != 0) {
      b.setUserId(r.nextInt(3) == 0 ? text(r, 300) : "42");
    }
    b.setK(r.nextInt(4) == 0 ? (int) FuzzCases.number(r) : 1 + r.nextInt(20));
    if (r.nextBoolean()) {
      b.setCandidates(ids(r, 20_000));
    }
    if (r.nextInt(4) == 0) {
      b.setHistory(ids(r, 1000));
    }
    if (r.nextInt(4) == 0) {
      b.setUserFeatures(features(r));
    }
    return b.setExplain(r.nextBoolean()).build();
  }

  private static GetInterestsRequest interests(SplittableRandom r) {
    GetInterestsRequest.Builder b = GetInterestsRequest.newBuilder();
    if (r.nextInt(4) != 0) {
      b.setUserId(r.nextInt(3) == 0 ? text(r, 300) : "42");
    }
    if (r.nextInt(3) == 0) {
      b.setHistory(ids(r, 1000));
    }
    if (r.nextInt(4) == 0) {
      b.setUserFeatures(features(r));
    }
    return b.setM(r.nextInt(3) == 0 ? (int) FuzzCases.number(r) : r.nextInt(10)).build();
  }

  private static IngestRequest ingest(SplittableRandom r) {
    IngestRequest.Builder b = IngestRequest.newBuilder();
    int n = r.nextInt(10) == 0 ? 1001 : r.nextInt(10);
    for (int i = 0; i < n; i++) {
      Event.Builder e = Event.newBuilder().setUserId(text(r, 20));
      if (r.nextBoolean()) {
        e.setItemId(FuzzCases.number(r));
      }
      if (r.nextBoolean()) {
        e.setTimestamp(FuzzCases.number(r));
      }
      b.addEvents(e);
    }
    return b.build();
  }

  /** Usually a few ids, sometimes exactly at or just over {@code limit}. */
  private static ItemIds ids(SplittableRandom r, int limit) {
    int n =
        switch (r.nextInt(40)) {
          case 0 -> limit + 1;
          case 1 -> limit;
          default -> r.nextInt(200);
        };
    ItemIds.Builder ids = ItemIds.newBuilder();
    for (int i = 0; i < n; i++) {
      ids.addIds(r.nextInt(3) == 0 ? FuzzCases.number(r) : r.nextInt(4000));
    }
    return ids.build();
  }

  private static UserFeatures features(SplittableRandom r) {
    UserFeatures.Builder f = UserFeatures.newBuilder();
    for (int n = r.nextInt(70); n > 0; n--) {
      f.putValues(
          FuzzCases.pick(r, new String[] {"gender", "age", "occupation", "zip", ""})
              + (r.nextBoolean() ? "" : text(r, 10)),
          text(r, 30));
    }
    return f.build();
  }

  /**
   * The bytes as they are, or truncated, corrupted, padded, garbage, or around the inbound size
   * {@code limit} (mostly over it).
   */
  private static byte[] mutate(byte[] bytes, int limit, SplittableRandom r) {
    return switch (r.nextInt(9)) {
      case 0, 1 -> bytes;
      case 2 -> r.nextInt(6) == 0 ? garbage(r, limit - 1024 + r.nextInt(64 * 1024)) : bytes;
      case 3 -> Arrays.copyOf(bytes, bytes.length == 0 ? 0 : r.nextInt(bytes.length));
      case 4 -> {
        byte[] out = bytes.clone();
        for (int n = 1 + r.nextInt(8); n > 0 && out.length > 0; n--) {
          out[r.nextInt(out.length)] = (byte) r.nextInt(256);
        }
        yield out;
      }
      case 5 -> {
        byte[] out = Arrays.copyOf(bytes, bytes.length + 1 + r.nextInt(64));
        for (int i = bytes.length; i < out.length; i++) {
          out[i] = (byte) r.nextInt(256);
        }
        yield out;
      }
      case 6 -> garbage(r, r.nextInt(256));
      case 7 -> garbage(r, 1 + r.nextInt(4096));
      default -> {
        // A length-delimited field that claims more bytes than follow.
        byte[] out = Arrays.copyOf(bytes, bytes.length + 3);
        out[bytes.length] = 0x12;
        out[bytes.length + 1] = (byte) 0xff;
        out[bytes.length + 2] = 0x7f;
        yield out;
      }
    };
  }

  static byte[] garbage(SplittableRandom r, int n) {
    byte[] out = new byte[n];
    for (int i = 0; i < n; i++) {
      out[i] = (byte) r.nextInt(256);
    }
    return out;
  }

  /** Random text that UTF-8 can carry: protobuf strings cannot hold lone surrogates. */
  private static String text(SplittableRandom r, int max) {
    return LONE_SURROGATE.matcher(FuzzCases.text(r, max)).replaceAll("?");
  }

  private static final Pattern LONE_SURROGATE =
      Pattern.compile(
          "[\\uD800-\\uDBFF](?![\\uDC00-\\uDFFF])|(?<![\\uD800-\\uDBFF])[\\uDC00-\\uDFFF]");

  private static String printable(SplittableRandom r, int max) {
    StringBuilder s = new StringBuilder();
    for (int n = 1 + r.nextInt(max); n > 0; n--) {
      s.append((char) r.nextInt(0x21, 0x7F));
    }
    return s.toString();
  }

  private static String hex(byte[] bytes) {
    StringBuilder s = new StringBuilder();
    for (int i = 0; i < Math.min(bytes.length, 48); i++) {
      s.append(String.format("%02x", bytes[i]));
    }
    return bytes.length > 48 ? s + "..." : s.toString();
  }
}
