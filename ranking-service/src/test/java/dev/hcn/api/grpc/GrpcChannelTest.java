package dev.hcn.api.grpc;

import static org.assertj.core.api.Assertions.assertThat;

import io.grpc.ConnectivityState;
import io.grpc.ManagedChannel;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.grpc.server.lifecycle.GrpcServerLifecycle;

/** A test of the Spring application's gRPC server, with a fresh real Netty channel per test. */
abstract class GrpcChannelTest {

  @Autowired private GrpcServerLifecycle server;

  /** Connected to the server the test's application started (on a free port). */
  protected ManagedChannel channel;

  /** Connected before the test starts, so that a short deadline is spent on the call itself. */
  @BeforeEach
  void connect() throws InterruptedException {
    channel = GrpcTestClient.channel(server);
    long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    ConnectivityState state = channel.getState(true);
    while (state != ConnectivityState.READY && System.nanoTime() < end) {
      CountDownLatch changed = new CountDownLatch(1);
      channel.notifyWhenStateChanged(state, changed::countDown);
      changed.await(100, TimeUnit.MILLISECONDS);
      state = channel.getState(true);
    }
    assertThat(state).as("channel to the test server").isEqualTo(ConnectivityState.READY);
  }

  @AfterEach
  void disconnect() throws InterruptedException {
    GrpcTestClient.close(channel);
  }
}
