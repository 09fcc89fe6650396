package dev.hcn.ranking;

import dev.hcn.model.BundleCheck;
import dev.hcn.model.BundleException;
import dev.hcn.model.GoldenCases;
import dev.hcn.model.ModelBundle;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Replays every golden case of a bundle through the service's own path (preprocessing, ONNX tower,
 * candidate mapping, scoring, top-k) and refuses the bundle at the first answer that differs from
 * PyTorch's beyond the golden tolerances. Two items may trade places only where PyTorch itself
 * scores them as a tie.
 */
final class GoldenVerifier {

  private final DefaultRankingService service;

  GoldenVerifier(DefaultRankingService service) {
    this.service = service;
  }

  /**
   * @return the number of cases checked
   * @throws BundleException with check {@link BundleCheck#GOLDEN} naming the first failing case
   */
  int verify(ModelBundle bundle) {
    GoldenCases golden = GoldenCases.of(bundle);
    for (GoldenCases.Case c : golden.cases()) {
      try {
        checkInterests(bundle, c, golden.tolerance().interestsAbs());
        RankResult result =
            service.rankUnmeasured(
                bundle,
                new RankQuery(null, c.candidates(), c.k(), c.history(), c.features(), false));
        checkTopK(c, result.items(), golden.tolerance().scoreAbs());
      } catch (Mismatch | RankingException | IllegalArgumentException | IllegalStateException e) {
        throw new BundleException(
            BundleCheck.GOLDEN,
            "bundle " + bundle.directory() + ": golden case " + c.name() + ": " + e.getMessage(),
            e);
      }
    }
    return golden.cases().size();
  }

  private static void checkInterests(ModelBundle bundle, GoldenCases.Case c, double tolerance) {
    if (c.interests() == null) {
      return;
    }
    float[] u = bundle.tower().interests(bundle.encoder().encode(c.history(), c.features()));
    int dim = bundle.tower().dim();
    if (c.interests().length * dim != u.length) {
      throw new Mismatch(
          "tower gave " + u.length / dim + " interests, golden has " + c.interests().length);
    }
    for (int k = 0; k < c.interests().length; k++) {
      for (int d = 0; d < dim; d++) {
        double diff = Math.abs(u[k * dim + d] - c.interests()[k][d]);
        if (!(diff <= tolerance)) {
          throw new Mismatch(
              "interest %d dim %d is %s, golden %s (tolerance %s)"
                  .formatted(k, d, u[k * dim + d], c.interests()[k][d], tolerance));
        }
      }
    }
  }

  private static void checkTopK(GoldenCases.Case c, List<RankedItem> got, double tolerance) {
    List<GoldenCases.Top> want = c.topk();
    if (got.size() != want.size()) {
      throw new Mismatch("top-k has " + got.size() + " items, golden has " + want.size());
    }
    Map<Long, Double> goldenScore = new HashMap<>();
    want.forEach(t -> goldenScore.put(t.itemId(), t.score()));
    for (int i = 0; i < want.size(); i++) {
      RankedItem item = got.get(i);
      GoldenCases.Top expected = want.get(i);
      if (!(Math.abs(item.score() - expected.score()) <= tolerance)) {
        throw new Mismatch(
            "score at %d is %s, golden %s (tolerance %s)"
                .formatted(i, item.score(), expected.score(), tolerance));
      }
      if (item.itemId() != expected.itemId()) {
        double other = goldenScore.getOrDefault(item.itemId(), want.getLast().score());
        if (!(Math.abs(other - expected.score()) <= tolerance)) {
          throw new Mismatch(
              "item %d at %d where golden has %d".formatted(item.itemId(), i, expected.itemId()));
        }
      }
    }
  }

  private static final class Mismatch extends RuntimeException {
    Mismatch(String message) {
      super(message, null, false, false);
    }
  }
}
