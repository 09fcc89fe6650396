package dev.hcn.ranking;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.availability.AvailabilityChangeEvent;
import org.springframework.boot.availability.ReadinessState;
import org.springframework.context.ApplicationContext;
import org.springframework.context.ApplicationListener;
import org.springframework.context.event.ContextClosedEvent;
import org.springframework.stereotype.Component;

/**
 * The first step of shutting down (SIGTERM closes the context): readiness goes DOWN on HTTP and
 * gRPC health while everything still serves, for {@link DrainProperties#readinessDelay()}. Only
 * then do the lifecycles stop: the gRPC server and Tomcat stop accepting, let in-flight calls
 * finish ({@code server.shutdown=graceful}, {@code spring.grpc.server.shutdown-grace-period}), and
 * the management port closes last.
 *
 * <p>A {@link ContextClosedEvent} listener rather than a lifecycle bean because the context
 * publishes that event before it stops any lifecycle, and the gRPC server already stops in the
 * highest phase.
 */
@Component
class GracefulDrain implements ApplicationListener<ContextClosedEvent> {

  private static final Logger log = LoggerFactory.getLogger(GracefulDrain.class);

  private final ApplicationContext context;
  private final DrainProperties properties;

  GracefulDrain(ApplicationContext context, DrainProperties properties) {
    this.context = context;
    this.properties = properties;
  }

  @Override
  public void onApplicationEvent(ContextClosedEvent event) {
    if (event.getApplicationContext() != context) {
      return; // the management child context closing
    }
    AvailabilityChangeEvent.publish(context, ReadinessState.REFUSING_TRAFFIC);
    long millis = properties.readinessDelay().toMillis();
    log.info("shutting down: readiness DOWN, serving for {} ms more before closing", millis);
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
