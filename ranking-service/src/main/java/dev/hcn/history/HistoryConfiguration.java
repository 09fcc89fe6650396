package dev.hcn.history;

import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig;
import io.github.resilience4j.circuitbreaker.CircuitBreakerRegistry;
import io.github.resilience4j.micrometer.tagged.TaggedCircuitBreakerMetrics;
import io.lettuce.core.ClientOptions;
import io.lettuce.core.resource.Delay;
import io.micrometer.core.instrument.MeterRegistry;
import java.net.ConnectException;
import java.time.Duration;
import java.util.concurrent.locks.LockSupport;
import java.util.function.IntSupplier;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.data.redis.autoconfigure.ClientResourcesBuilderCustomizer;
import org.springframework.boot.data.redis.autoconfigure.LettuceClientOptionsBuilderCustomizer;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.data.redis.core.StringRedisTemplate;

/**
 * The history source chosen by {@code hcn.history.source}, and the reader the ranking flow uses.
 */
@Configuration(proxyBeanMethods = false)
class HistoryConfiguration {

  /** Used only while no bundle serves yet (ingestion then answers not-ready anyway). */
  static final int LENGTH_WITHOUT_BUNDLE = 100;

  @Bean
  HistoryLength historyLength(HistoryProperties properties, ServingBundleView serving) {
    IntSupplier length =
        properties.length() > 0
            ? properties::length
            : () -> serving.historyLength().orElse(LENGTH_WITHOUT_BUNDLE);
    return new HistoryLength(length);
  }

  @Configuration(proxyBeanMethods = false)
  @ConditionalOnProperty(
      name = "hcn.history.source",
      havingValue = "embedded",
      matchIfMissing = true)
  static class Embedded {

    @Bean
    EmbeddedHistorySource embeddedHistorySource(ServingBundleView serving) {
      return EmbeddedHistorySource.following(serving);
    }

    @Bean
    HistoryReader historyReader(EmbeddedHistorySource source) {
      return HistoryReader.direct(source);
    }
  }

  @Configuration(proxyBeanMethods = false)
  @ConditionalOnProperty(name = "hcn.history.source", havingValue = "redis")
  static class Redis {

    static final String BREAKER = "historyStore";

    /**
     * Reads at start: past the JIT's first compile threshold (a few hundred calls) for the read
     * path; about 0.1 ms each against a local Redis.
     */
    static final int WARM_UP_READS = 500;

    /** A user id that ingestion refuses (it holds braces), so that warm-up reads find nothing. */
    static final String WARM_UP_USER = "{warm-up}";

    /**
     * Longest readiness waits for the store's connection, and how long after the start the
     * connection is tried: a bound on how long a slow store can hold readiness back.
     */
    static final Duration WARM_UP_BOUND = Duration.ofSeconds(2);

    /** Pause between connection tries at start, while the client reconnects. */
    static final Duration CONNECT_RETRY = Duration.ofMillis(20);

    @Bean
    RedisHistoryStore redisHistoryStore(
        StringRedisTemplate redis, HistoryProperties properties, HistoryLength length) {
      return new RedisHistoryStore(redis, new RedisKeys(properties.keyPrefix()), length.supplier());
    }

    @Bean
    CircuitBreaker historyStoreBreaker(HistoryProperties properties, MeterRegistry meters) {
      HistoryProperties.Breaker b = properties.breaker();
      CircuitBreakerConfig config =
          CircuitBreakerConfig.custom()
              .failureRateThreshold(b.failureRate())
              .slidingWindowSize(b.window())
              .minimumNumberOfCalls(b.minimumCalls())
              .waitDurationInOpenState(b.openFor())
              .permittedNumberOfCallsInHalfOpenState(b.halfOpenCalls())
              .automaticTransitionFromOpenToHalfOpenEnabled(true)
              .build();
      CircuitBreakerRegistry breakers = CircuitBreakerRegistry.of(config);
      TaggedCircuitBreakerMetrics.ofCircuitBreakerRegistry(breakers).bindTo(meters);
      return breakers.circuitBreaker(BREAKER);
    }

    @Bean(destroyMethod = "close")
    ResilientHistoryReader historyReader(
        RedisHistoryStore store,
        CircuitBreaker historyStoreBreaker,
        HistoryProperties properties,
        MeterRegistry meters) {
      return new ResilientHistoryReader(
          store, historyStoreBreaker, properties.budget(), properties.cache(), meters);
    }

    /**
     * Lettuce connects lazily, and the first connection costs more than the per-call timeout:
     * without this, the first ranking after start would fall back. After the connection, {@link
     * #WARM_UP_READS} reads of a user that cannot exist run the store's read path (pipeline,
     * decoding) until the JIT has compiled it. Both run on their own thread from the moment the
     * store exists, while the context goes on starting; readiness waits for the connection only, at
     * most {@link #WARM_UP_BOUND} (ranking.ModelStartup, docs/startup.md).
     */
    @Bean
    HistoryStoreWarmUp historyStoreWarmUp(RedisHistoryStore store) {
      long until = System.nanoTime() + WARM_UP_BOUND.toNanos();
      return HistoryStoreWarmUp.start(
          () -> connect(store::ping, until),
          () -> {
            for (int i = 0; i < WARM_UP_READS; i++) {
              store.find(WARM_UP_USER);
            }
          },
          WARM_UP_BOUND);
    }

    /**
     * Runs {@code ping} until the store answers, a try finds the connection refused (the store is
     * down, and the start need not wait for it), or {@code until} has passed. The first
     * connection's handshake is bounded by the per-command timeout, and while the rest of the start
     * competes for the cores it can take longer than that; the client then rejects commands until
     * it has reconnected, which a later try finds done.
     */
    static void connect(Runnable ping, long until) {
      while (true) {
        try {
          ping.run();
          return;
        } catch (RuntimeException e) {
          if (refused(e) || System.nanoTime() - until >= 0) {
            throw e;
          }
          LockSupport.parkNanos(CONNECT_RETRY.toNanos());
        }
      }
    }

    private static boolean refused(Throwable e) {
      for (Throwable c = e; c != null; c = c.getCause() == c ? null : c.getCause()) {
        if (c instanceof ConnectException) {
          return true;
        }
      }
      return false;
    }

    /**
     * Lettuce retries a lost connection with a delay growing to 30 s by default; a ranking service
     * should notice a restarted Redis within a second.
     */
    @Bean
    ClientResourcesBuilderCustomizer hcnRedisReconnectDelay() {
      return builder ->
          builder.reconnectDelay(
              Delay.exponential(
                  Duration.ofMillis(10),
                  Duration.ofSeconds(1),
                  2,
                  java.util.concurrent.TimeUnit.MILLISECONDS));
    }

    /**
     * While the connection is down, commands fail at once instead of queueing until their timeout:
     * rankings fall back without waiting and ingestion answers 503 immediately.
     */
    @Bean
    LettuceClientOptionsBuilderCustomizer hcnRedisRejectWhileDisconnected() {
      return builder ->
          builder.disconnectedBehavior(ClientOptions.DisconnectedBehavior.REJECT_COMMANDS);
    }
  }
}
