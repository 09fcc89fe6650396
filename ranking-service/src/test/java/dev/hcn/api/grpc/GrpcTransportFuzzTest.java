package dev.hcn.api.grpc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import com.google.common.primitives.Bytes;
import com.google.rpc.ErrorInfo;
import dev.hcn.ServiceTest;
import dev.hcn.api.grpc.v1.Event;
import dev.hcn.api.grpc.v1.GetInterestsRequest;
import dev.hcn.api.grpc.v1.IngestRequest;
import dev.hcn.api.grpc.v1.ItemIds;
import dev.hcn.api.grpc.v1.RankRequest;
import dev.hcn.api.grpc.v1.RankResponse;
import dev.hcn.events.EventsProperties;
import dev.hcn.fuzz.FuzzCases;
import dev.hcn.fuzz.Shrink;
import dev.hcn.ranking.RankingProperties;
import io.micrometer.core.instrument.MeterRegistry;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.function.Predicate;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.grpc.server.lifecycle.GrpcServerLifecycle;

/**
 * gRPC requests below any gRPC library, as HTTP/2 streams on one connection: any headers
 * (content-type, te, grpc-encoding, grpc-timeout, method, path), and bodies framed in every broken
 * way (no message, two, a length prefix that lies either way, a cut prefix, the compressed flag
 * without an encoding, reserved flag bits, a broken gzip stream, a gzip bomb). The service answers
 * every one with a client-error status carrying the stable type (the frame guard's answers
 * included, ADR 10), or with gRPC's UNIMPLEMENTED for an unknown method or encoding; never UNKNOWN,
 * INTERNAL, a reset stream, a GOAWAY or a closed connection. The service still ranks on the same
 * connection afterwards.
 */
@ServiceTest
class GrpcTransportFuzzTest {

  private static final String SERVICE = "/hcn.ranking.v1.Ranking/";

  private static final int SHRINK_BUDGET = 200;

  @Autowired GrpcServerLifecycle server;
  @Autowired GrpcApiProperties api;
  @Autowired RankingProperties ranking;
  @Autowired EventsProperties events;
  @Autowired MeterRegistry meters;

  private RawGrpc grpc;
  private int limit;

  /** A small gzip message that decompresses to a valid message one byte over the limit. */
  private byte[] bomb;

  @BeforeEach
  void connect() throws InterruptedException {
    grpc = new RawGrpc(server.getPort());
    limit = GrpcMessageLimit.inboundBytes(api, ranking, events);
    String padding = "a".repeat(limit);
    byte[] over = RankRequest.newBuilder().setUserId(padding).build().toByteArray();
    byte[] exact = Arrays.copyOf(over, limit + 1); // the string's bytes run on past the limit
    bomb = gzip(exact);
  }

  @AfterEach
  void disconnect() {
    grpc.close();
  }

  @Test
  void noGeneratedStreamGetsAServerFaultOrEndsTheConnection() throws Exception {
    long seed = FuzzCases.seed();
    int cases = FuzzCases.cases();
    var outcomes = new TreeMap<String, Integer>();
    for (int i = 0; i < cases; i++) {
      Stream stream = stream(FuzzCases.random(seed, i));
      RawGrpc.Answer answer = grpc.exchange(stream.headerMap(), stream.body());
      String problem = problem(answer);
      outcomes.merge(key(answer), 1, Integer::sum);
      if (problem != null) {
        String kind = key(answer);
        Stream shrunk = shrink(stream, s -> problemOnItsOwn(s, kind));
        fail(
            "%s: %s\n%s\nshrunk to %s",
            FuzzCases.name(seed, i), problem, stream.summary(), shrunk.summary());
      }
      if (!grpc.connectionEvents().isEmpty() || !grpc.open()) {
        fail(
            "%s ended the connection (%s): %s",
            FuzzCases.name(seed, i), grpc.connectionEvents(), stream.summary());
      }
    }
    // The mix reaches the service, its limits and each of the transport's own answers.
    assertThat(outcomes)
        .containsKeys("grpc 0", "grpc 3", "grpc 4", "grpc 8", "grpc 12", "http 405", "http 415");
    RawGrpc.Answer ranked = grpc.exchange(headers("Rank"), rankBody());
    assertThat(ranked.grpcStatus()).as("a normal rank after %s", outcomes).isZero();
    assertThat(RankResponse.parseFrom(Arrays.copyOfRange(ranked.body(), 5, ranked.body().length)))
        .extracting(RankResponse::getItemsCount)
        .isEqualTo(5);
  }

  @Test
  void aUnaryCallWithoutOneMessageIsMalformedInputAndCounted() throws Exception {
    double before = unanswered("INVALID_ARGUMENT");
    byte[] one = rankBody();
    byte[] two = Bytes.concat(one, one);
    for (byte[] body : List.of(new byte[0], two)) {
      RawGrpc.Answer answer = grpc.exchange(headers("Rank"), body);
      assertThat(answer.grpcStatus()).isEqualTo(3);
      assertThat(reason(answer)).contains("malformed-body");
    }
    // The tracer counts a stream once it is closed, which can be just after the caller has read
    // the answer: wait for the count rather than race it.
    long end = System.nanoTime() + 5_000_000_000L;
    while (unanswered("INVALID_ARGUMENT") - before < 2.0 && System.nanoTime() < end) {
      Thread.sleep(10);
    }
    // (at least: a call of an earlier test may be counted late in the window too)
    assertThat(unanswered("INVALID_ARGUMENT") - before).isGreaterThanOrEqualTo(2.0);
  }

  @Test
  void aBrokenGzipMessageIsMalformedAndAGzipBombTooLarge() throws Exception {
    Map<String, String> gzip = headers("Rank");
    gzip.put("grpc-encoding", "gzip");
    byte[] notGzip = RawGrpc.frame(1, rankMessage().length, rankMessage());
    RawGrpc.Answer broken = grpc.exchange(gzip, notGzip);
    assertThat(broken.grpcStatus()).isEqualTo(3);
    assertThat(reason(broken)).contains("malformed-body");

    RawGrpc.Answer large = grpc.exchange(gzip, RawGrpc.frame(1, bomb.length, bomb));
    assertThat(large.grpcStatus()).isEqualTo(8);
    assertThat(reason(large)).contains("payload-too-large");

    byte[] good = gzip(rankMessage());
    assertThat(grpc.exchange(gzip, RawGrpc.frame(1, good.length, good)).grpcStatus()).isZero();
  }

  /**
   * Each broken stream that grpc-java's transport answers with INTERNAL or a reset, answered as bad
   * input by the frame guard (ADR 10), then a normal call on the same connection.
   */
  @Test
  void brokenStreamsAreBadInputAndKeepTheConnection() throws Exception {
    byte[] rank = rankMessage();
    Map<String, String> text = headers("Rank");
    text.put("content-type", "text/plain");
    assertRefused(grpc.exchange(text, rankBody()), "415", 3, "invalid-request");
    Map<String, String> get = headers("Rank");
    get.put(":method", "GET");
    assertRefused(grpc.exchange(get, rankBody()), "405", 3, "invalid-request");
    RawGrpc.Answer midFrame =
        grpc.exchange(headers("Rank"), RawGrpc.frame(0, rank.length + 9, rank));
    assertRefused(midFrame, "200", 3, "malformed-body");
    assertThat(midFrame.grpcMessage()).contains("ended inside a message");
    RawGrpc.Answer midPrefix = grpc.exchange(headers("Rank"), Arrays.copyOf(rankBody(), 3));
    assertRefused(midPrefix, "200", 3, "malformed-body");
    assertThat(midPrefix.grpcMessage()).contains("length prefix");
    RawGrpc.Answer compressed = grpc.exchange(headers("Rank"), RawGrpc.frame(1, rank.length, rank));
    assertRefused(compressed, "200", 3, "malformed-body");
    assertThat(compressed.grpcMessage()).contains("no encoding");
    assertRefused(
        grpc.exchange(headers("Rank"), RawGrpc.frame(4, rank.length, rank)),
        "200",
        3,
        "malformed-body");
    for (String timeout : List.of("soon", "-1S", "123456789S", "1x")) {
      Map<String, String> bad = headers("Rank");
      bad.put("grpc-timeout", timeout);
      assertRefused(grpc.exchange(bad, rankBody()), "200", 3, "invalid-request");
    }
    Map<String, String> spent = headers("Rank");
    spent.put("grpc-timeout", "0S");
    assertRefused(grpc.exchange(spent, rankBody()), "200", 4, "deadline-exceeded");
    RawGrpc.Answer huge = grpc.exchange(headers("Rank"), RawGrpc.frame(0, limit + 1, rank));
    assertRefused(huge, "200", 8, "payload-too-large");
    assertThat(huge.grpcMessage()).contains("exceeds maximum size");
    assertThat(grpc.exchange(headers("Rank"), rankBody()).grpcStatus()).isZero();
    assertThat(grpc.connectionEvents()).isEmpty();
  }

  /**
   * The guard follows messages across DATA frames: a body cut into frames at every byte, its length
   * prefix included, still ranks, and the same cuts of a stream that ends mid-message are refused.
   */
  @Test
  void messagesSplitAcrossDataFramesPassAndTheirCutsAreCaught() throws Exception {
    byte[] body = rankBody();
    for (int cut = 1; cut < body.length; cut++) {
      List<byte[]> frames =
          List.of(Arrays.copyOfRange(body, 0, cut), Arrays.copyOfRange(body, cut, body.length));
      assertThat(grpc.exchange(headers("Rank"), frames).grpcStatus()).as("cut at %d", cut).isZero();
      RawGrpc.Answer cutShort =
          grpc.exchange(headers("Rank"), List.of(Arrays.copyOfRange(body, 0, cut), new byte[0]));
      assertRefused(cutShort, "200", 3, "malformed-body");
    }
    byte[] bytewise = Bytes.concat(body, body); // two messages, one byte per frame: one too many
    List<byte[]> single = new ArrayList<>();
    for (byte b : bytewise) {
      single.add(new byte[] {b});
    }
    assertRefused(grpc.exchange(headers("Rank"), single), "200", 3, "malformed-body");
    assertThat(grpc.connectionEvents()).isEmpty();
  }

  /** Each refusal is counted once, under the code the caller got, whether gRPC saw the call. */
  @Test
  void refusalsAreCountedUnderTheCodeTheCallerGot() throws Exception {
    double invalid = unanswered("INVALID_ARGUMENT");
    double cancelled = unanswered("CANCELLED");
    Map<String, String> text = headers("Rank");
    text.put("content-type", "text/plain");
    grpc.exchange(text, rankBody()); // before gRPC sees a call
    byte[] rank = rankMessage();
    grpc.exchange(headers("Rank"), RawGrpc.frame(0, rank.length + 9, rank)); // gRPC has the call
    long end = System.nanoTime() + 5_000_000_000L;
    while (unanswered("INVALID_ARGUMENT") - invalid < 2.0 && System.nanoTime() < end) {
      Thread.sleep(10);
    }
    assertThat(unanswered("INVALID_ARGUMENT") - invalid).isEqualTo(2.0);
    assertThat(unanswered("CANCELLED")).isEqualTo(cancelled);
  }

  private static void assertRefused(
      RawGrpc.Answer answer, String httpStatus, int grpcStatus, String type) {
    assertThat(answer.reset()).as("reset").isEqualTo(-1);
    assertThat(answer.httpStatus()).isEqualTo(httpStatus);
    assertThat(answer.grpcStatus()).as(answer.grpcMessage()).isEqualTo(grpcStatus);
    assertThat(reason(answer)).contains(type);
  }

  private double unanswered(String code) {
    var counter = meters.find("hcn.grpc.unanswered").tag("code", code).counter();
    return counter == null ? 0 : counter.count();
  }

  /** What is wrong with the answer to {@code stream}, or null when it is one the rule allows. */
  private static String problem(RawGrpc.Answer answer) {
    if (answer.reset() >= 0) {
      return "reset with code " + answer.reset();
    }
    Integer status = answer.grpcStatus();
    if (status == null) {
      return "no grpc-status (HTTP " + answer.httpStatus() + ")";
    }
    String message = answer.grpcMessage();
    return switch (status) {
      case 0 -> null;
      case 3, 4, 5, 8, 9 ->
          reason(answer).isPresent() ? null : "status " + status + " without a type: " + message;
      case 12 ->
          message.startsWith("Method not found")
                  || message.startsWith("Expected path")
                  || message.startsWith("Can't find decompressor")
              ? null
              : "UNIMPLEMENTED: " + message;
      default -> "status " + status + ": " + message;
    };
  }

  /** Shrinking sends each candidate on the same connection: the connection must survive them. */
  private boolean problemOnItsOwn(Stream stream, String kind) {
    try {
      RawGrpc.Answer answer = grpc.exchange(stream.headerMap(), stream.body());
      return problem(answer) != null && key(answer).equals(kind);
    } catch (Exception e) {
      return false;
    }
  }

  private static String key(RawGrpc.Answer answer) {
    if (answer.reset() >= 0) {
      return "reset " + answer.reset();
    }
    if (!"200".equals(answer.httpStatus())) {
      return "http " + answer.httpStatus();
    }
    return "grpc " + answer.grpcStatus();
  }

  /** The stable error type in the status details, when the service put one there. */
  private static Optional<String> reason(RawGrpc.Answer answer) {
    return GrpcTestClient.errorInfo(answer.asStatus())
        .filter(info -> GrpcErrorMapping.DOMAIN.equals(info.getDomain()))
        .map(ErrorInfo::getReason);
  }

  private static Stream shrink(Stream stream, Predicate<Stream> fails) {
    Stream s = stream;
    Stream withBody = s;
    s = s.withBody(Shrink.bytes(s.body(), b -> fails.test(withBody.withBody(b)), SHRINK_BUDGET));
    Stream withHeaders = s;
    return s.withHeaders(
        Shrink.list(s.headers(), h -> fails.test(withHeaders.withHeaders(h)), SHRINK_BUDGET));
  }

  /** One generated stream: its headers in order (pseudo-headers first) and its DATA bytes. */
  record Stream(List<Map.Entry<String, String>> headers, byte[] body) {

    Map<String, String> headerMap() {
      var map = new LinkedHashMap<String, String>();
      headers.forEach(h -> map.putIfAbsent(h.getKey(), h.getValue()));
      return map;
    }

    Stream withBody(byte[] b) {
      return new Stream(headers, b);
    }

    Stream withHeaders(List<Map.Entry<String, String>> h) {
      return new Stream(List.copyOf(h), body);
    }

    String summary() {
      return headers.stream().map(h -> h.getKey() + ": " + h.getValue()).toList()
          + " body "
          + Shrink.show(body, 200);
    }
  }

  private Stream stream(SplittableRandom r) {
    var h = new ArrayList<Map.Entry<String, String>>();
    String method =
        FuzzCases.pick(
            r, new String[] {"Rank", "Rank", "Rank", "GetInterests", "Ingest", "GetModel"});
    h.add(
        Map.entry(
            ":method",
            r.nextInt(30) == 0 ? FuzzCases.pick(r, new String[] {"GET", "PUT"}) : "POST"));
    h.add(Map.entry(":scheme", "http"));
    h.add(Map.entry(":authority", "localhost"));
    h.add(Map.entry(":path", path(r, method)));
    String contentType =
        FuzzCases.pick(
            r,
            new String[] {
              "application/grpc",
              "application/grpc",
              "application/grpc",
              "application/grpc",
              "application/grpc+proto",
              "application/grpc;charset=utf-8",
              "application/grpc+json",
              "text/plain",
              "application/json",
              "",
              null
            });
    if (contentType != null) {
      h.add(Map.entry("content-type", contentType));
    }
    if (r.nextInt(10) != 0) {
      // (any other value of te is malformed HTTP/2, refused by the HTTP/2 codecs themselves)
      h.add(Map.entry("te", "trailers"));
    }
    String encoding =
        r.nextInt(3) == 0
            ? FuzzCases.pick(r, new String[] {"gzip", "gzip", "gzip", "identity", "br", "zz"})
            : null;
    if (encoding != null) {
      h.add(Map.entry("grpc-encoding", encoding));
    }
    if (r.nextInt(8) == 0) {
      h.add(
          Map.entry(
              "grpc-timeout",
              FuzzCases.pick(
                  r,
                  new String[] {"30S", "30000m", "0n", "0S", "abc", "-1S", "123456789S", "1x"})));
    }
    for (int n = r.nextInt(3); n > 0; n--) {
      h.add(Map.entry("x-fuzz-" + r.nextInt(100), Integer.toString(r.nextInt())));
    }
    return new Stream(List.copyOf(h), body(r, method, "gzip".equals(encoding)));
  }

  private static String path(SplittableRandom r, String method) {
    return switch (r.nextInt(25)) {
      case 0 -> SERVICE + "Fuzz" + r.nextInt(100);
      case 1 -> "/hcn.fuzz.Nothing/" + method;
      case 2 -> "/";
      case 3 -> method;
      case 4 -> SERVICE.toUpperCase() + method;
      default -> SERVICE + method;
    };
  }

  /** DATA bytes: one well-framed message mostly, else each framing fault in turn. */
  private byte[] body(SplittableRandom r, String method, boolean gzip) {
    byte[] message =
        r.nextInt(10) == 0 ? GrpcFuzzTest.garbage(r, r.nextInt(300)) : message(r, method);
    boolean compress = gzip && r.nextInt(3) != 0;
    if (compress) {
      message = r.nextInt(6) == 0 ? corrupt(gzip(message), r) : gzip(message);
    }
    int flag = compress ? 1 : 0;
    return switch (r.nextInt(20)) {
      case 0 -> new byte[0];
      case 1 ->
          Bytes.concat(
              RawGrpc.frame(flag, message.length, message),
              RawGrpc.frame(flag, message.length, message));
      case 2 -> RawGrpc.frame(flag, message.length + 1 + r.nextInt(1000), message);
      case 3 -> RawGrpc.frame(flag, Math.max(0, message.length - 1 - r.nextInt(4)), message);
      case 4 -> Arrays.copyOf(RawGrpc.frame(flag, message.length, message), r.nextInt(5));
      case 5 -> RawGrpc.frame(1, message.length, message);
      case 6 -> RawGrpc.frame(2 + r.nextInt(254), message.length, message);
      case 7 -> RawGrpc.frame(flag, limit + 1 + r.nextInt(Integer.MAX_VALUE - limit - 1), message);
      case 8 -> {
        if (!gzip) {
          yield RawGrpc.frame(flag, message.length, message);
        }
        yield RawGrpc.frame(1, bomb.length, bomb);
      }
      default -> RawGrpc.frame(flag, message.length, message);
    };
  }

  private static byte[] message(SplittableRandom r, String method) {
    return switch (method) {
      case "Rank" -> {
        var b =
            RankRequest.newBuilder().setUserId(r.nextInt(4) == 0 ? "" : "42").setK(r.nextInt(8));
        if (r.nextBoolean()) {
          var ids = ItemIds.newBuilder();
          for (int n = r.nextInt(50); n > 0; n--) {
            ids.addIds(r.nextInt(4000));
          }
          b.setCandidates(ids);
        }
        yield b.build().toByteArray();
      }
      case "GetInterests" ->
          GetInterestsRequest.newBuilder().setUserId("42").setM(r.nextInt(6)).build().toByteArray();
      case "Ingest" ->
          IngestRequest.newBuilder()
              .addEvents(Event.newBuilder().setUserId("").setItemId(r.nextInt(4000)))
              .build()
              .toByteArray();
      default -> new byte[0];
    };
  }

  private static Map<String, String> headers(String method) {
    return RawGrpc.grpcHeaders(SERVICE + method);
  }

  private static byte[] rankMessage() {
    return RankRequest.newBuilder().setUserId("42").setK(5).build().toByteArray();
  }

  private static byte[] rankBody() {
    byte[] m = rankMessage();
    return RawGrpc.frame(0, m.length, m);
  }

  private static byte[] gzip(byte[] bytes) {
    var out = new ByteArrayOutputStream();
    try (var zip = new GZIPOutputStream(out)) {
      zip.write(bytes);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toByteArray();
  }

  private static byte[] corrupt(byte[] bytes, SplittableRandom r) {
    byte[] out = bytes.clone();
    for (int n = 1 + r.nextInt(4); n > 0; n--) {
      out[r.nextInt(out.length)] = (byte) r.nextInt(256);
    }
    return out;
  }
}
