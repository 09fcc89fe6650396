package dev.hcn.api.grpc;

import dev.hcn.api.grpc.v1.GetInterestsRequest;
import dev.hcn.api.grpc.v1.GetInterestsResponse;
import dev.hcn.api.grpc.v1.GetModelRequest;
import dev.hcn.api.grpc.v1.GetModelResponse;
import dev.hcn.api.grpc.v1.IngestRequest;
import dev.hcn.api.grpc.v1.IngestResponse;
import dev.hcn.api.grpc.v1.RankRequest;
import dev.hcn.api.grpc.v1.RankResponse;
import dev.hcn.api.grpc.v1.RankingGrpc;
import dev.hcn.events.EventSink;
import dev.hcn.events.EventsProperties;
import dev.hcn.ranking.RankQuery;
import dev.hcn.ranking.RankResult;
import dev.hcn.ranking.RankingException;
import dev.hcn.ranking.RankingMetrics;
import dev.hcn.ranking.RankingProperties;
import dev.hcn.ranking.RankingService;
import io.grpc.BindableService;
import io.grpc.ServerServiceDefinition;
import io.grpc.stub.StreamObserver;
import org.springframework.stereotype.Service;

/**
 * The gRPC adapter of {@link RankingService}. Failures are thrown, not passed to {@code onError}:
 * Spring gRPC's exception interceptor hands them to {@link GrpcErrorMapping}, the one place that
 * chooses status codes.
 */
@Service
class RankingGrpcService implements RankingGrpc.AsyncService, BindableService {

  private final RankingService ranking;
  private final EventSink events;
  private final RankingMetrics metrics;
  private final RankingProperties limits;
  private final EventsProperties eventLimits;
  private final CallQueue calls;

  RankingGrpcService(
      RankingService ranking,
      EventSink events,
      RankingMetrics metrics,
      RankingProperties limits,
      EventsProperties eventLimits,
      CallQueue calls) {
    this.calls = calls;
    this.ranking = ranking;
    this.events = events;
    this.metrics = metrics;
    this.limits = limits;
    this.eventLimits = eventLimits;
  }

  @Override
  public ServerServiceDefinition bindService() {
    return MalformedRequests.tolerate(RankingGrpc.bindService(this));
  }

  @Override
  public void rank(RankRequest request, StreamObserver<RankResponse> responses) {
    RankQuery query;
    try {
      MalformedRequests.reject(request);
      query = GrpcRankMapper.toQuery(request, limits);
    } catch (RankingException malformed) {
      // Refused before the service, which counts every other outcome.
      metrics.rejected(GrpcRequestContext.API, malformed.type().slug());
      throw malformed;
    }
    // A call whose deadline passed while it waited for a thread is refused by the service's
    // admission control before any work (and counted there).
    RankResult result = calls.ranking(() -> ranking.rank(query, GrpcRequestContext.current(calls)));
    responses.onNext(GrpcRankMapper.toResponse(result));
    responses.onCompleted();
  }

  @Override
  public void getModel(GetModelRequest request, StreamObserver<GetModelResponse> responses) {
    MalformedRequests.reject(request);
    responses.onNext(GrpcRankMapper.toResponse(ranking.model()));
    responses.onCompleted();
  }

  @Override
  public void getInterests(
      GetInterestsRequest request, StreamObserver<GetInterestsResponse> responses) {
    MalformedRequests.reject(request);
    GrpcRequestContext context = GrpcRequestContext.current(calls);
    var query = GrpcRankMapper.toQuery(request, limits);
    responses.onNext(
        GrpcRankMapper.toResponse(calls.ranking(() -> ranking.interests(query, context))));
    responses.onCompleted();
  }

  @Override
  public void ingest(IngestRequest request, StreamObserver<IngestResponse> responses) {
    MalformedRequests.reject(request);
    responses.onNext(
        GrpcRankMapper.toResponse(
            events.ingest(GrpcRankMapper.toEvents(request, eventLimits.maxBatch()))));
    responses.onCompleted();
  }
}
