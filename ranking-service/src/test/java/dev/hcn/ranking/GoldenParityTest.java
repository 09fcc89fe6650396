package dev.hcn.ranking;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.hcn.history.UserHistory;
import dev.hcn.model.GoldenCases;
import dev.hcn.model.GoldenCases.Case;
import dev.hcn.model.ModelBundle;
import dev.hcn.model.TestBundles;
import dev.hcn.model.TowerInput;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every golden.json case (computed by PyTorch) through the Java path: preprocessing, ONNX tower,
 * candidate mapping, scoring and exact top-k. Tolerances come from golden.json.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class GoldenParityTest {

  private ModelBundle bundle;
  private GoldenCases golden;
  private DefaultRankingService sequential;
  private DefaultRankingService split;
  private ExecutorService pool;

  @BeforeAll
  void setUp() {
    bundle = TestBundles.load();
    golden = TestBundles.golden();
    pool = Executors.newFixedThreadPool(3);
    sequential = TestRanking.service(bundle, id -> UserHistory.EMPTY, new SimpleMeterRegistry());
    split =
        TestRanking.service(
            bundle,
            id -> UserHistory.EMPTY,
            new SimpleMeterRegistry(),
            TestRanking.LIMITS,
            TestRanking.splitting(pool));
  }

  @AfterAll
  void tearDown() {
    pool.shutdown();
    bundle.close();
  }

  Stream<Case> cases() {
    return TestBundles.golden().cases().stream();
  }

  @Test
  void goldenFileIsTheExpectedFormatAndCoversTheRequiredCases() {
    assertThat(golden.format()).isEqualTo("hcn-golden/1");
    assertThat(golden.cases()).hasSizeGreaterThanOrEqualTo(20);
    assertThat(golden.cases()).anyMatch(c -> c.history().length == 0);
    assertThat(golden.cases()).anyMatch(c -> c.candidates() == null);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void preprocessingMatches(Case c) {
    TowerInput in = bundle.encoder().encode(c.history(), features(c));
    assertThat(in.longIds()).containsExactly(c.longIds());
    assertThat(in.shortIds()).containsExactly(c.shortIds());
    assertThat(in.featureIds()).containsExactly(c.featureIds());
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void towerMatches(Case c) {
    float[] u = bundle.tower().interests(bundle.encoder().encode(c.history(), features(c)));
    int dim = bundle.dim();
    assertThat(c.interests()).hasNumberOfRows(bundle.interests());
    for (int k = 0; k < c.interests().length; k++) {
      for (int d = 0; d < dim; d++) {
        assertThat(u[k * dim + d])
            .as("interest %d dim %d", k, d)
            .isCloseTo(c.interests()[k][d], within((float) golden.tolerance().interestsAbs()));
      }
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void topKMatches(Case c) {
    assertTopK(c, sequential.rank(query(c), RequestContext.unbounded("test")));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void topKMatchesWhenScoringIsSplitAcrossThreads(Case c) {
    assertTopK(c, split.rank(query(c), RequestContext.unbounded("test")));
  }

  private void assertTopK(Case c, RankResult result) {
    double tol = golden.tolerance().scoreAbs();
    List<GoldenCases.Top> expected = c.topk();
    assertThat(result.items()).hasSameSizeAs(expected);
    Map<Long, Double> goldenScore = new HashMap<>();
    expected.forEach(t -> goldenScore.put(t.itemId(), t.score()));
    for (int i = 0; i < expected.size(); i++) {
      RankedItem got = result.items().get(i);
      GoldenCases.Top want = expected.get(i);
      assertThat((double) got.score()).as("score at %d", i).isCloseTo(want.score(), within(tol));
      if (got.itemId() != want.itemId()) {
        // A swap is only allowed between items that PyTorch itself scores as a tie.
        double other = goldenScore.getOrDefault(got.itemId(), expected.getLast().score());
        assertThat(other)
            .as("item %d at %d instead of %d", got.itemId(), i, want.itemId())
            .isCloseTo(want.score(), within(tol));
      }
    }
  }

  private static RankQuery query(Case c) {
    return new RankQuery(null, c.candidates(), c.k(), c.history(), features(c), false);
  }

  private static Map<String, String> features(Case c) {
    return c.userFeatures() == null ? Map.of() : c.userFeatures();
  }
}
