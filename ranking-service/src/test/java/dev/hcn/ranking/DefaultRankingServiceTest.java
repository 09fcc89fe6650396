package dev.hcn.ranking;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.hcn.history.HistorySource;
import dev.hcn.history.UserHistory;
import dev.hcn.model.ModelBundle;
import dev.hcn.model.TestBundles;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/** The ranking flow on the real bundle and ONNX Runtime, with small in-test history sources. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class DefaultRankingServiceTest {

  private ModelBundle bundle;
  private long[] someIds;
  private long[] history;

  @BeforeAll
  void load() {
    bundle = TestBundles.load();
    someIds = new long[12];
    for (int i = 0; i < someIds.length; i++) {
      someIds[i] = bundle.items().id(i + 1);
    }
    history = new long[30];
    for (int i = 0; i < history.length; i++) {
      history[i] = bundle.items().id(bundle.items().rows() - 1 - 3 * i);
    }
  }

  @AfterAll
  void close() {
    bundle.close();
  }

  private DefaultRankingService service(HistorySource source, SimpleMeterRegistry meters) {
    return TestRanking.service(bundle, source, meters);
  }

  private static RankResult rank(RankingService s, RankQuery q) {
    return s.rank(q, RequestContext.unbounded("test"));
  }

  @Test
  void storeHistoryIsUsedAndInlineHistoryOverridesIt() {
    var stored = new UserHistory(history, Map.of("gender", "F"));
    var s = service(id -> id.equals("u1") ? stored : UserHistory.EMPTY, new SimpleMeterRegistry());
    RankResult fromStore = rank(s, new RankQuery("u1", someIds, 5, null, null, false));
    RankResult inline =
        rank(s, new RankQuery(null, someIds, 5, history, Map.of("gender", "F"), false));
    assertSameRanking(fromStore, inline);
    assertThat(fromStore.coldStart()).isFalse();

    RankResult overridden =
        rank(s, new RankQuery("u1", someIds, 5, new long[0], Map.of("gender", "F"), false));
    RankResult coldInline =
        rank(s, new RankQuery(null, someIds, 5, new long[0], Map.of("gender", "F"), false));
    assertSameRanking(overridden, coldInline);
    assertThat(overridden.items()).isNotEqualTo(fromStore.items());
    assertThat(overridden.coldStart()).isTrue();
  }

  @Test
  void inlineFeaturesAloneOverrideOnlyTheFeatures() {
    var stored = new UserHistory(history, Map.of("gender", "F"));
    var s = service(id -> stored, new SimpleMeterRegistry());
    RankResult mixed = rank(s, new RankQuery("u1", someIds, 5, null, Map.of(), false));
    RankResult expected = rank(s, new RankQuery(null, someIds, 5, history, Map.of(), false));
    assertSameRanking(mixed, expected);
  }

  @Test
  void unknownUserIsAColdStartNotAnError() {
    var s = service(id -> UserHistory.EMPTY, new SimpleMeterRegistry());
    RankResult r = rank(s, new RankQuery("nobody", someIds, 3, null, null, false));
    assertThat(r.coldStart()).isTrue();
    assertThat(r.fallback()).isFalse();
    assertThat(r.items()).hasSize(3);
  }

  @Test
  void failingSourceFallsBackToAnEmptyHistoryAndCountsIt() {
    var meters = new SimpleMeterRegistry();
    var s =
        service(
            id -> {
              throw new IllegalStateException("store down");
            },
            meters);
    RankResult r = rank(s, new RankQuery("u1", someIds, 3, null, null, false));
    assertThat(r.fallback()).isTrue();
    assertThat(r.fallbackReason()).isEqualTo("history-error");
    assertThat(r.coldStart()).isTrue();
    assertThat(r.items()).hasSize(3);
    assertThat(
            meters
                .get("hcn.rank.fallbacks")
                .tag("reason", dev.hcn.history.FallbackReason.HISTORY_ERROR.slug())
                .counter()
                .count())
        .isEqualTo(1.0);
  }

  @Test
  void unknownCandidatesAreSkippedAndCountedAndDuplicatesScoredOnce() {
    var s = service(id -> UserHistory.EMPTY, new SimpleMeterRegistry());
    long a = someIds[0];
    long b = someIds[1];
    long unknown = Long.MIN_VALUE + 17;
    RankResult r =
        rank(
            s,
            new RankQuery(
                null, new long[] {a, unknown, b, a, a, unknown}, 10, history, null, false));
    assertThat(r.candidatesScored()).isEqualTo(2);
    assertThat(r.candidatesUnknown()).isEqualTo(2);
    assertThat(r.items()).extracting(RankedItem::itemId).containsExactlyInAnyOrder(a, b);
  }

  @Test
  void omittedCandidatesRankTheWholeCatalogue() {
    var s = service(id -> UserHistory.EMPTY, new SimpleMeterRegistry());
    int catalogue = bundle.items().rows() - 1;
    RankResult all = rank(s, new RankQuery(null, null, 20, history, null, false));
    assertThat(all.candidatesScored()).isEqualTo(catalogue);
    long[] every = new long[catalogue];
    for (int row = 1; row <= catalogue; row++) {
      every[row - 1] = bundle.items().id(row);
    }
    RankResult explicit = rank(s, new RankQuery(null, every, 20, history, null, false));
    assertSameRanking(all, explicit);
    for (int i = 1; i < all.items().size(); i++) {
      assertThat(all.items().get(i).score()).isLessThanOrEqualTo(all.items().get(i - 1).score());
    }
  }

  @Test
  void explainGivesADominantInterestInRange() {
    var s = service(id -> UserHistory.EMPTY, new SimpleMeterRegistry());
    RankResult plain = rank(s, new RankQuery(null, someIds, 5, history, null, false));
    RankResult explained = rank(s, new RankQuery(null, someIds, 5, history, null, true));
    assertThat(plain.items()).allMatch(i -> i.dominantInterest() == -1);
    assertThat(explained.items())
        .allMatch(i -> i.dominantInterest() >= 0 && i.dominantInterest() < bundle.interests());
    assertThat(explained.items())
        .extracting(RankedItem::itemId)
        .containsExactlyElementsOf(plain.items().stream().map(RankedItem::itemId).toList());
  }

  @Test
  void invalidQueriesAreRejectedWithTypeAndField() {
    var limits = new RankingProperties(50, 20, 10, 8, 2, 20_000, 0, 16, true);
    var s =
        TestRanking.service(
            bundle,
            id -> UserHistory.EMPTY,
            new SimpleMeterRegistry(),
            limits,
            new dev.hcn.scoring.TopKScorer(new dev.hcn.scoring.VectorScoringKernel(), 100, null));
    assertRejected(
        s, new RankQuery("u", null, 0, null, null, false), ErrorType.K_OUT_OF_RANGE, "k");
    assertRejected(
        s, new RankQuery("u", null, 51, null, null, false), ErrorType.K_OUT_OF_RANGE, "k");
    assertRejected(
        s,
        new RankQuery("u", new long[21], 5, null, null, false),
        ErrorType.TOO_MANY_CANDIDATES,
        "candidates");
    assertRejected(
        s,
        new RankQuery("u", null, 5, new long[11], null, false),
        ErrorType.HISTORY_TOO_LONG,
        "history");
    assertRejected(
        s, new RankQuery(null, null, 5, null, null, false), ErrorType.INVALID_REQUEST, "userId");
    assertRejected(
        s, new RankQuery(" ", null, 5, null, null, false), ErrorType.INVALID_REQUEST, "userId");
    assertRejected(
        s,
        new RankQuery("123456789", null, 5, null, null, false),
        ErrorType.INVALID_REQUEST,
        "userId");
    assertRejected(
        s,
        new RankQuery("u", null, 5, null, Map.of("a", "1", "b", "2", "c", "3"), false),
        ErrorType.INVALID_REQUEST,
        "userFeatures");
    // At the limits everything is accepted.
    assertThat(
            rank(s, new RankQuery("u", new long[20], 50, new long[10], Map.of("a", "1"), false))
                .candidatesUnknown())
        .isEqualTo(20);
  }

  @Test
  void notReadyUntilABundleIsInstalled() {
    var s = TestRanking.service(null, id -> UserHistory.EMPTY, new SimpleMeterRegistry());
    assertRejected(s, new RankQuery("u", null, 5, null, null, false), ErrorType.NOT_READY, null);
    assertThatThrownBy(s::model)
        .isInstanceOfSatisfying(
            RankingException.class, e -> assertThat(e.type()).isEqualTo(ErrorType.NOT_READY));
  }

  @Test
  void checkpointsAtEveryStageAndStopsWhenTheContextSaysSo() {
    var s = service(id -> UserHistory.EMPTY, new SimpleMeterRegistry());
    AtomicInteger calls = new AtomicInteger();
    RequestContext counting = context(calls::incrementAndGet);
    s.rank(new RankQuery("u", someIds, 3, null, null, false), counting);
    assertThat(calls.get()).isGreaterThanOrEqualTo(4);

    for (int stop = 1; stop <= calls.get(); stop++) {
      int at = stop;
      AtomicInteger seen = new AtomicInteger();
      RequestContext expiring =
          context(
              () -> {
                if (seen.incrementAndGet() == at) {
                  throw new RankingException(ErrorType.DEADLINE_EXCEEDED, "late");
                }
              });
      assertThatThrownBy(() -> s.rank(new RankQuery("u", someIds, 3, null, null, false), expiring))
          .isInstanceOfSatisfying(
              RankingException.class,
              e -> assertThat(e.type()).isEqualTo(ErrorType.DEADLINE_EXCEEDED));
    }
  }

  @Test
  void recordsRequestStageAndCandidateMetricsWithoutIds() {
    var meters = new SimpleMeterRegistry();
    var s = service(id -> UserHistory.EMPTY, meters);
    rank(s, new RankQuery("user-7", someIds, 3, null, null, false));
    try {
      rank(s, new RankQuery("user-7", someIds, 0, null, null, false));
    } catch (RankingException expected) {
      // counted below
    }
    assertThat(meters.get("hcn.rank.requests").tags("api", "test", "outcome", "ok").timer().count())
        .isEqualTo(1);
    assertThat(
            meters
                .get("hcn.rank.requests")
                .tags("api", "test", "outcome", "k-out-of-range")
                .timer()
                .count())
        .isEqualTo(1);
    for (String stage : new String[] {"history", "tower", "candidates", "score_topk", "response"}) {
      assertThat(meters.get("hcn.rank.stage").tag("stage", stage).timer().count()).isEqualTo(1);
    }
    assertThat(meters.get("hcn.rank.candidates").summary().totalAmount()).isEqualTo(someIds.length);
    meters.getMeters().stream()
        .flatMap(m -> m.getId().getTags().stream())
        .forEach(tag -> assertThat(tag.getValue()).doesNotContain("user-7"));
  }

  /**
   * Same items in the same order with the same scores up to float rounding: the kernel may round
   * the last bit differently once the JIT has compiled it.
   */
  static void assertSameRanking(RankResult actual, RankResult expected) {
    assertThat(actual.items())
        .extracting(RankedItem::itemId)
        .containsExactlyElementsOf(expected.items().stream().map(RankedItem::itemId).toList());
    for (int i = 0; i < expected.items().size(); i++) {
      assertThat(actual.items().get(i).score())
          .isCloseTo(
              expected.items().get(i).score(), org.assertj.core.api.Assertions.within(1e-5f));
    }
  }

  private static RequestContext context(Runnable onCheckpoint) {
    return new RequestContext() {
      @Override
      public String api() {
        return "test";
      }

      @Override
      public void checkpoint() {
        onCheckpoint.run();
      }
    };
  }

  private static void assertRejected(RankingService s, RankQuery q, ErrorType type, String field) {
    assertThatThrownBy(() -> s.rank(q, RequestContext.unbounded("test")))
        .isInstanceOfSatisfying(
            RankingException.class,
            e -> {
              assertThat(e.type()).isEqualTo(type);
              assertThat(e.field()).isEqualTo(field);
            });
  }

  private DefaultRankingService admitting(
      HistorySource source, SimpleMeterRegistry meters, AdmissionControl admission) {
    return TestRanking.service(
        bundle,
        source,
        meters,
        TestRanking.LIMITS,
        new dev.hcn.scoring.TopKScorer(new dev.hcn.scoring.VectorScoringKernel(), 20_000, null),
        admission);
  }

  /** Admission with a single request slot and room for any candidate count. */
  private static AdmissionControl oneSlot(SimpleMeterRegistry meters) {
    return new AdmissionControl(
        new AdmissionProperties(1, 1_000_000, java.time.Duration.ZERO, java.time.Duration.ZERO),
        new RankingMetrics(meters));
  }

  private static double requests(SimpleMeterRegistry meters, String outcome) {
    var timer = meters.find("hcn.rank.requests").tags("api", "test", "outcome", outcome).timer();
    return timer == null ? 0 : timer.count();
  }

  @Test
  void errorsAreCountedAsInternalRethrownAndGiveTheirAdmissionBack() {
    var meters = new SimpleMeterRegistry();
    var admission = oneSlot(meters);
    AtomicInteger calls = new AtomicInteger();
    // Scoring split across an executor that fails: an Error first, then a RuntimeException.
    var s =
        TestRanking.service(
            bundle,
            id -> UserHistory.EMPTY,
            meters,
            TestRanking.LIMITS,
            TestRanking.splitting(
                task -> {
                  if (calls.incrementAndGet() == 1) {
                    throw new StackOverflowError("deep");
                  }
                  throw new IllegalStateException("pool broke");
                }),
            admission);
    assertThatThrownBy(() -> rank(s, new RankQuery("u", someIds, 3, null, null, false)))
        .isInstanceOf(StackOverflowError.class);
    assertThatThrownBy(() -> rank(s, new RankQuery("u", someIds, 3, null, null, false)))
        .isInstanceOf(IllegalStateException.class);
    assertThat(requests(meters, "internal")).isEqualTo(2);
    assertThat(admission.availableSlots()).isEqualTo(1);
    assertThat(admission.availableVolume()).isEqualTo(1_000_000);
    // And the slot is really free: the next request runs.
    var ok = admitting(id -> UserHistory.EMPTY, meters, admission);
    assertThat(rank(ok, new RankQuery("u", someIds, 3, null, null, false)).items()).hasSize(3);
  }

  @Test
  void aSaturatedServiceRefusesRankingAndInterestsButValidatesFirst() {
    var meters = new SimpleMeterRegistry();
    var admission = oneSlot(meters);
    var s = admitting(id -> UserHistory.EMPTY, meters, admission);
    try (var held = admission.admit(RequestContext.unbounded("test"), 1)) {
      assertThatThrownBy(() -> rank(s, new RankQuery("u", someIds, 3, null, null, false)))
          .isInstanceOfSatisfying(
              RankingException.class, e -> assertThat(e.type()).isEqualTo(ErrorType.OVERLOADED));
      assertThatThrownBy(
              () ->
                  s.interests(
                      new dev.hcn.interests.InterestQuery("u", null, null, 5, 0),
                      RequestContext.unbounded("test")))
          .isInstanceOfSatisfying(
              RankingException.class, e -> assertThat(e.type()).isEqualTo(ErrorType.OVERLOADED));
      // Bad input is answered as such, not as overload.
      assertThatThrownBy(() -> rank(s, new RankQuery("u", someIds, 0, null, null, false)))
          .isInstanceOfSatisfying(
              RankingException.class,
              e -> assertThat(e.type()).isEqualTo(ErrorType.K_OUT_OF_RANGE));
    }
    assertThat(requests(meters, "overloaded")).isEqualTo(1);
    assertThat(
            meters
                .get("hcn.rank.shed")
                .tags("api", "test", "reason", "concurrency")
                .counter()
                .count())
        .isEqualTo(2);
    assertThat(admission.availableSlots()).isEqualTo(1);
  }

  @Test
  void theWholeCatalogueWeighsTheCatalogueSize() {
    var meters = new SimpleMeterRegistry();
    int catalogue = bundle.items().rows() - 1;
    // Room for one whole-catalogue request, or for a small one beside a nearly whole one.
    var admission =
        new AdmissionControl(
            new AdmissionProperties(
                10, catalogue, java.time.Duration.ZERO, java.time.Duration.ZERO),
            new RankingMetrics(meters));
    var s = admitting(id -> UserHistory.EMPTY, meters, admission);
    try (var held = admission.admit(RequestContext.unbounded("test"), 1)) {
      assertThatThrownBy(() -> rank(s, new RankQuery("u", null, 3, null, null, false)))
          .isInstanceOfSatisfying(
              RankingException.class, e -> assertThat(e.type()).isEqualTo(ErrorType.OVERLOADED));
      assertThat(rank(s, new RankQuery("u", someIds, 3, null, null, false)).items()).hasSize(3);
    }
    assertThat(rank(s, new RankQuery("u", null, 3, null, null, false)).items()).hasSize(3);
    assertThat(
            meters.get("hcn.rank.shed").tags("api", "test", "reason", "volume").counter().count())
        .isEqualTo(1);
  }

  @Test
  void aRequestWaitingOnTheHistoryStoreHoldsNoSlot() throws Exception {
    var meters = new SimpleMeterRegistry();
    var admission = oneSlot(meters);
    var lookingUp = new CountDownLatch(1);
    var release = new CountDownLatch(1);
    var stored = new UserHistory(history, Map.of());
    var s =
        admitting(
            id -> {
              if (id.equals("stalled")) {
                lookingUp.countDown();
                await(release);
              }
              return stored;
            },
            meters,
            admission);
    try (var pool = Executors.newVirtualThreadPerTaskExecutor()) {
      Future<RankResult> stalled =
          pool.submit(() -> rank(s, new RankQuery("stalled", someIds, 3, null, null, false)));
      assertThat(lookingUp.await(10, TimeUnit.SECONDS)).isTrue();
      // The only slot is free while the first request waits on its store: this one runs.
      assertThat(admission.availableSlots()).isEqualTo(1);
      assertThat(rank(s, new RankQuery("other", someIds, 3, null, null, false)).items()).hasSize(3);
      release.countDown();
      assertThat(stalled.get(10, TimeUnit.SECONDS).items()).hasSize(3);
    }
    assertThat(meters.find("hcn.rank.shed").counters())
        .allSatisfy(c -> assertThat(c.count()).isZero());
    assertThat(admission.availableSlots()).isEqualTo(1);
  }

  @Test
  void aRequestThatWouldBeRefusedIsRefusedBeforeTheStoreIsAsked() {
    var meters = new SimpleMeterRegistry();
    var admission = oneSlot(meters);
    AtomicInteger asked = new AtomicInteger();
    var s =
        admitting(
            id -> {
              asked.incrementAndGet();
              return UserHistory.EMPTY;
            },
            meters,
            admission);
    try (var held = admission.admit(RequestContext.unbounded("test"), 1)) {
      assertThatThrownBy(() -> rank(s, new RankQuery("u", someIds, 3, null, null, false)))
          .isInstanceOfSatisfying(
              RankingException.class, e -> assertThat(e.type()).isEqualTo(ErrorType.OVERLOADED));
    }
    assertThat(asked.get()).isZero();
    assertThat(rank(s, new RankQuery("u", someIds, 3, null, null, false)).items()).hasSize(3);
    assertThat(asked.get()).isEqualTo(1);
  }

  @Test
  void theStoreIsAskedAsAWaitOffTheCpu() {
    var inWait = new ThreadLocal<Boolean>();
    var askedOffCpu = new java.util.ArrayList<Boolean>();
    var s =
        service(
            id -> {
              askedOffCpu.add(Boolean.TRUE.equals(inWait.get()));
              return new UserHistory(history, Map.of());
            },
            new SimpleMeterRegistry());
    RequestContext marking =
        new RequestContext() {
          @Override
          public String api() {
            return "test";
          }

          @Override
          public void checkpoint() {}

          @Override
          public <T> T offCpu(java.util.function.Supplier<T> wait) {
            inWait.set(true);
            try {
              return wait.get();
            } finally {
              inWait.remove();
            }
          }
        };
    s.rank(new RankQuery("u1", someIds, 3, null, null, false), marking);
    s.interests(new dev.hcn.interests.InterestQuery("u2", null, null, 3, 0), marking);
    assertThat(askedOffCpu).containsExactly(true, true);
  }

  private static void await(CountDownLatch latch) {
    try {
      latch.await();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }
}
