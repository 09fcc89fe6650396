package dev.hcn.history;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.lettuce.core.RedisConnectionException;
import io.lettuce.core.RedisException;
import java.net.ConnectException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** {@code HistoryConfiguration.Redis.connect}: which failures at start are tried again. */
class RedisConnectAtStartTest {

  private static long in(long seconds) {
    return System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
  }

  @Test
  void aClientThatIsStillReconnectingIsTriedAgainUntilItAnswers() {
    AtomicInteger tries = new AtomicInteger();
    HistoryConfiguration.Redis.connect(
        () -> {
          if (tries.incrementAndGet() < 3) {
            throw new RedisException("Currently not connected. Commands are rejected.");
          }
        },
        in(30));
    assertThat(tries).hasValue(3);
  }

  @Test
  void aRefusedConnectionIsNotTriedAgain() {
    var refused =
        new RedisConnectionException(
            "Unable to connect", new ConnectException("Connection refused"));
    assertThat(triesUntilThrown(refused, in(30))).isEqualTo(1);
  }

  @Test
  void triesStopOnceTheDeadlineHasPassed() {
    var reconnecting = new RedisException("Currently not connected.");
    assertThat(triesUntilThrown(reconnecting, System.nanoTime())).isEqualTo(1);
  }

  /** Tries made by a connect whose every ping throws {@code failure}, which it must rethrow. */
  private static int triesUntilThrown(RuntimeException failure, long until) {
    AtomicInteger tries = new AtomicInteger();
    assertThatThrownBy(
            () ->
                HistoryConfiguration.Redis.connect(
                    () -> {
                      tries.incrementAndGet();
                      throw failure;
                    },
                    until))
        .isSameAs(failure);
    return tries.get();
  }
}
