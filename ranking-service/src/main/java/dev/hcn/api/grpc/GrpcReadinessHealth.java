package dev.hcn.api.grpc;

import dev.hcn.api.grpc.v1.RankingGrpc;
import io.grpc.health.v1.HealthCheckResponse.ServingStatus;
import io.grpc.protobuf.services.HealthStatusManager;
import org.springframework.boot.availability.ApplicationAvailability;
import org.springframework.boot.availability.AvailabilityChangeEvent;
import org.springframework.boot.availability.ReadinessState;
import org.springframework.context.event.EventListener;
import org.springframework.stereotype.Component;

/**
 * Makes the {@code grpc.health.v1} service that Spring gRPC registers follow the application's
 * readiness: NOT_SERVING until the service accepts traffic (model loaded and warmed), SERVING
 * after, NOT_SERVING again when it refuses traffic. Both the overall status ("") and the ranking
 * service's own name are kept in step, so load balancers may probe either.
 */
@Component
class GrpcReadinessHealth {

  static final String OVERALL = HealthStatusManager.SERVICE_NAME_ALL_SERVICES;
  static final String RANKING = RankingGrpc.SERVICE_NAME;

  private final HealthStatusManager health;

  GrpcReadinessHealth(HealthStatusManager health, ApplicationAvailability availability) {
    this.health = health;
    // HealthStatusManager starts the overall status as SERVING; correct it before the port opens.
    apply(availability.getReadinessState());
  }

  @EventListener
  void onReadinessChange(AvailabilityChangeEvent<ReadinessState> event) {
    apply(event.getState());
  }

  private void apply(ReadinessState state) {
    ServingStatus status =
        state == ReadinessState.ACCEPTING_TRAFFIC
            ? ServingStatus.SERVING
            : ServingStatus.NOT_SERVING;
    health.setStatus(OVERALL, status);
    health.setStatus(RANKING, status);
  }
}
