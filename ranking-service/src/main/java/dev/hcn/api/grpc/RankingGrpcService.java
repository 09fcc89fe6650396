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
import dev.hcn.ranking.RankResult;
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
  private final RankingProperties limits;
  private final EventsProperties eventLimits;

  RankingGrpcService(
      RankingService ranking,
      EventSink events,
      RankingProperties limits,
      EventsProperties eventLimits) {
    this.ranking = ranking;
    this.events = events;
    this.limits = limits;
    this.eventLimits = eventLimits;
  }

  @Override
  public ServerServiceDefinition bindService() {
    return MalformedRequests.tolerate(RankingGrpc.bindService(this));
  }

  @Override
  public void rank(RankRequest request, StreamObserver<RankResponse> responses) {
    MalformedRequests.reject(request);
    GrpcRequestContext context = GrpcRequestContext.current();
    // A call whose deadline passed while it waited for a thread does no work at all.
    context.checkpoint();
    RankResult result = ranking.rank(GrpcRankMapper.toQuery(request, limits), context);
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
    GrpcRequestContext context = GrpcRequestContext.current();
    context.checkpoint();
    responses.onNext(
        GrpcRankMapper.toResponse(
            ranking.interests(GrpcRankMapper.toQuery(request, limits), context)));
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
