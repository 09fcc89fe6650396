package dev.hcn.ranking;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.hcn.history.UserHistory;
import dev.hcn.interests.InterestQuery;
import dev.hcn.interests.InterestReport;
import dev.hcn.model.ModelBundle;
import dev.hcn.model.TestBundles;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The interests flow reads users only through the {@code HistorySource} abstraction, exactly as
 * ranking does: whatever source serves (embedded, Redis, ...), a failing one degrades the same way.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class InterestsFlowTest {

  private ModelBundle bundle;
  private long[] history;

  @BeforeAll
  void load() {
    bundle = TestBundles.load();
    history = new long[25];
    for (int i = 0; i < history.length; i++) {
      history[i] = bundle.items().id(1 + 7 * i);
    }
  }

  @AfterAll
  void close() {
    bundle.close();
  }

  private static InterestReport interests(RankingService s, InterestQuery q) {
    return s.interests(q, RequestContext.unbounded("test"));
  }

  @Test
  void theSourcesHistoryIsTheOneInspected() {
    var stored = new UserHistory(history, Map.of("gender", "M"));
    var s =
        TestRanking.service(
            bundle, id -> id.equals("u1") ? stored : UserHistory.EMPTY, new SimpleMeterRegistry());
    InterestReport fromSource = interests(s, new InterestQuery("u1", null, null, 3, 0));
    InterestReport inline =
        interests(s, new InterestQuery(null, history, Map.of("gender", "M"), 3, 0));
    assertThat(fromSource.history()).isEqualTo(inline.history()).hasSize(25);
    assertThat(fromSource.interests()).isEqualTo(inline.interests());
    assertThat(fromSource.coldStart()).isFalse();
    assertThat(fromSource.fallback()).isFalse();
    // The same interests the rank flow's tower sees.
    float[] u = bundle.tower().interests(bundle.encoder().encode(history, Map.of("gender", "M")));
    int dim = bundle.dim();
    double norm0 = 0;
    for (int d = 0; d < dim; d++) {
      norm0 += u[d] * u[d];
    }
    assertThat((double) fromSource.interests().getFirst().norm())
        .isCloseTo(Math.sqrt(norm0), org.assertj.core.api.Assertions.within(1e-4));
  }

  @Test
  void aFailingSourceIsAFallbackColdStartNotAnError() {
    var s =
        TestRanking.service(
            bundle,
            id -> {
              throw new IllegalStateException("store down");
            },
            new SimpleMeterRegistry());
    InterestReport r = interests(s, new InterestQuery("u1", null, null, 4, 0));
    assertThat(r.fallback()).isTrue();
    assertThat(r.coldStart()).isTrue();
    assertThat(r.history()).isEmpty();
    assertThat(r.interests()).hasSize(bundle.interests());
  }

  @Test
  void notReadyAndDeadlineAreTheRankFlows() {
    var notLoaded = TestRanking.service(null, id -> UserHistory.EMPTY, new SimpleMeterRegistry());
    assertThatThrownBy(() -> interests(notLoaded, new InterestQuery("u1", null, null, 4, 0)))
        .isInstanceOfSatisfying(
            RankingException.class, e -> assertThat(e.type()).isEqualTo(ErrorType.NOT_READY));
    var s = TestRanking.service(bundle, id -> UserHistory.EMPTY, new SimpleMeterRegistry());
    RequestContext expired =
        new RequestContext() {
          @Override
          public String api() {
            return "test";
          }

          @Override
          public void checkpoint() {
            throw new RankingException(ErrorType.DEADLINE_EXCEEDED, "late");
          }
        };
    assertThatThrownBy(() -> s.interests(new InterestQuery("u1", null, null, 4, 0), expired))
        .isInstanceOfSatisfying(
            RankingException.class,
            e -> assertThat(e.type()).isEqualTo(ErrorType.DEADLINE_EXCEEDED));
  }
}
