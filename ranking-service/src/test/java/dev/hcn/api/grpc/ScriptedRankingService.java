package dev.hcn.api.grpc;

import dev.hcn.interests.InterestQuery;
import dev.hcn.interests.InterestReport;
import dev.hcn.ranking.ErrorType;
import dev.hcn.ranking.ModelInfo;
import dev.hcn.ranking.RankQuery;
import dev.hcn.ranking.RankResult;
import dev.hcn.ranking.RankedItem;
import dev.hcn.ranking.RankingException;
import dev.hcn.ranking.RankingService;
import dev.hcn.ranking.RequestContext;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

/**
 * A RankingService whose behaviour the adapter tests choose through the user id, so that the
 * transport (mapping, status codes, deadlines, cancellation) can be tested on its own. The
 * end-to-end tests run the real service.
 *
 * <ul>
 *   <li>{@code error:<ErrorType>} throws that error type with field {@code userFeatures};
 *   <li>{@code busy} keeps working, calling {@link RequestContext#checkpoint()} every millisecond,
 *       until the checkpoint stops it (or 20 s pass), and reports how it stopped in {@link #stops};
 *   <li>{@code crash} throws an unexpected exception, {@code overflow} a StackOverflowError;
 *   <li>anything else echoes the candidates back (score = -position) and records the query.
 * </ul>
 */
class ScriptedRankingService implements RankingService {

  static final ModelInfo MODEL =
      new ModelInfo(
          "scripted", "20260101-abcdef12", 8, 48, 3, 80, 20, List.of("gender", "age"), "t");

  final AtomicReference<RankQuery> lastQuery = new AtomicReference<>();
  final AtomicReference<String> lastThread = new AtomicReference<>();
  final BlockingQueue<ErrorType> stops = new LinkedBlockingQueue<>();

  @Override
  public RankResult rank(RankQuery query, RequestContext context) {
    lastQuery.set(query);
    lastThread.set(Thread.currentThread().getName());
    String user = query.userId() == null ? "" : query.userId();
    if (user.startsWith("error:")) {
      ErrorType type = ErrorType.valueOf(user.substring("error:".length()));
      throw new RankingException(type, "userFeatures", "scripted " + type.slug());
    }
    if (user.equals("crash")) {
      throw new IllegalStateException("secret internal detail");
    }
    if (user.equals("overflow")) {
      throw new StackOverflowError("secret internal detail");
    }
    if (user.equals("busy")) {
      return busy(context);
    }
    long[] ids = query.candidates() == null ? new long[] {1, 2, 3} : query.candidates();
    List<RankedItem> items = new ArrayList<>();
    for (int i = 0; i < Math.min(ids.length, query.k()); i++) {
      items.add(
          query.explain()
              ? new RankedItem(ids[i], -i, i % 8, null, null)
              : new RankedItem(ids[i], -i));
    }
    return new RankResult("scripted", "v1", items, ids.length, 0, false, false, null);
  }

  private RankResult busy(RequestContext context) {
    long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
    try {
      while (System.nanoTime() < end) {
        context.checkpoint();
        Thread.sleep(1);
      }
    } catch (RankingException e) {
      stops.add(e.type());
      throw e;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    stops.add(ErrorType.NOT_FOUND); // never stopped: the test fails on this
    return new RankResult("scripted", "v1", List.of(), 0, 0, false, false, null);
  }

  @Override
  public ModelInfo model() {
    return MODEL;
  }

  @Override
  public InterestReport interests(InterestQuery query, RequestContext context) {
    throw new RankingException(ErrorType.NOT_READY, "scripted: no interests");
  }

  @Override
  public List<String> demoUsers() {
    return List.of();
  }
}
