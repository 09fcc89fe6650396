package dev.hcn.ranking;

import dev.hcn.scoring.TopKScorer;
import dev.hcn.scoring.VectorScoringKernel;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** The scorer (Vector API kernel) with a bounded pool for splitting large candidate sets. */
@Configuration(proxyBeanMethods = false)
class ScoringConfiguration {

  /**
   * Owns the split-scoring threads. Deliberately not an {@code Executor} bean, which would make
   * Spring Boot drop its own application task executor.
   */
  record ScoringPool(ExecutorService executor) implements AutoCloseable {
    @Override
    public void close() {
      executor.shutdown();
    }
  }

  @Bean(destroyMethod = "close")
  ScoringPool scoringPool(RankingProperties properties) {
    int threads = properties.effectiveScoringThreads();
    // Bounded queue; when it is full the request thread scores its chunk itself, so load sheds
    // into the callers instead of queueing without limit.
    ThreadPoolExecutor pool =
        new ThreadPoolExecutor(
            threads,
            threads,
            30,
            TimeUnit.SECONDS,
            new ArrayBlockingQueue<>(properties.scoringQueue()),
            Thread.ofPlatform().name("scoring-", 0).daemon(true).factory(),
            new ThreadPoolExecutor.CallerRunsPolicy());
    pool.allowCoreThreadTimeOut(true);
    return new ScoringPool(pool);
  }

  @Bean
  TopKScorer topKScorer(RankingProperties properties, ScoringPool pool) {
    return new TopKScorer(
        new VectorScoringKernel(properties.catalogueLaneBlocks()),
        properties.parallelThreshold(),
        pool.executor());
  }

  @Bean
  InterestCache interestCache(InterestCacheProperties properties, MeterRegistry registry) {
    return new InterestCache(properties.maxSize(), registry);
  }

  @Bean
  RankingMetrics rankingMetrics(MeterRegistry registry) {
    return new RankingMetrics(registry);
  }
}
