package dev.hcn.api.grpc;

import dev.hcn.api.grpc.v1.CosineRow;
import dev.hcn.api.grpc.v1.GetInterestsRequest;
import dev.hcn.api.grpc.v1.GetInterestsResponse;
import dev.hcn.api.grpc.v1.GetModelResponse;
import dev.hcn.api.grpc.v1.HistoryEvent;
import dev.hcn.api.grpc.v1.IngestRequest;
import dev.hcn.api.grpc.v1.IngestResponse;
import dev.hcn.api.grpc.v1.Interest;
import dev.hcn.api.grpc.v1.ItemIds;
import dev.hcn.api.grpc.v1.RankRequest;
import dev.hcn.api.grpc.v1.RankResponse;
import dev.hcn.api.grpc.v1.ScoredItem;
import dev.hcn.events.Event;
import dev.hcn.events.IngestResult;
import dev.hcn.interests.InterestQuery;
import dev.hcn.interests.InterestReport;
import dev.hcn.ranking.ErrorType;
import dev.hcn.ranking.ModelInfo;
import dev.hcn.ranking.RankQuery;
import dev.hcn.ranking.RankResult;
import dev.hcn.ranking.RankedItem;
import dev.hcn.ranking.RankingException;
import dev.hcn.ranking.RankingProperties;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Translates between the protobuf messages and the transport-neutral ranking contract. Absent
 * wrapper messages become {@code null} exactly as absent JSON fields do over REST, so both APIs
 * build the same {@link RankQuery} for the same input.
 */
final class GrpcRankMapper {

  private GrpcRankMapper() {}

  /**
   * @throws RankingException TOO_MANY_CANDIDATES, HISTORY_TOO_LONG or INVALID_REQUEST (features)
   *     before any list is copied, when a count is over its limit
   */
  static RankQuery toQuery(RankRequest request, RankingProperties limits) {
    checkCounts(request.getCandidates(), request.getHistory(), limits);
    checkFeatures(request.getUserFeatures().getValuesCount(), limits);
    long[] candidates = request.hasCandidates() ? toArray(request.getCandidates()) : null;
    long[] history = request.hasHistory() ? toArray(request.getHistory()) : null;
    Map<String, String> features =
        request.hasUserFeatures() ? Map.copyOf(request.getUserFeatures().getValuesMap()) : null;
    // proto3 cannot tell an unset string from "", and "" is never a valid user id.
    String userId = request.getUserId().isEmpty() ? null : request.getUserId();
    return new RankQuery(
        userId, candidates, request.getK(), history, features, request.getExplain());
  }

  static RankResponse toResponse(RankResult result) {
    RankResponse.Builder response =
        RankResponse.newBuilder()
            .setModelName(result.modelName())
            .setModelVersion(result.modelVersion())
            .setCandidatesScored(result.candidatesScored())
            .setCandidatesUnknown(result.candidatesUnknown())
            .setColdStart(result.coldStart())
            .setFallback(result.fallback());
    if (result.fallbackReason() != null) {
      response.setFallbackReason(result.fallbackReason());
    }
    for (RankedItem item : result.items()) {
      dev.hcn.api.grpc.v1.RankedItem.Builder out =
          response.addItemsBuilder().setItemId(item.itemId()).setScore(item.score());
      if (item.dominantInterest() >= 0) {
        out.setDominantInterest(item.dominantInterest());
      }
      if (item.interestWeights() != null) {
        for (float w : item.interestWeights()) {
          out.addInterestWeights(w);
        }
      }
      if (item.title() != null) {
        out.setTitle(item.title());
      }
    }
    return response.build();
  }

  static GetModelResponse toResponse(ModelInfo model) {
    return GetModelResponse.newBuilder()
        .setName(model.name())
        .setVersion(model.version())
        .setInterests(model.interests())
        .setDim(model.dim())
        .setItems(model.items())
        .setLongLength(model.longLength())
        .setShortLength(model.shortLength())
        .addAllUserFeatures(model.userFeatures())
        .setCreatedAt(model.createdAt() == null ? "" : model.createdAt())
        .build();
  }

  static InterestQuery toQuery(GetInterestsRequest request, RankingProperties limits) {
    checkCounts(ItemIds.getDefaultInstance(), request.getHistory(), limits);
    checkFeatures(request.getUserFeatures().getValuesCount(), limits);
    long[] history = request.hasHistory() ? toArray(request.getHistory()) : null;
    Map<String, String> features =
        request.hasUserFeatures() ? Map.copyOf(request.getUserFeatures().getValuesMap()) : null;
    String userId = request.getUserId().isEmpty() ? null : request.getUserId();
    // proto3 cannot tell an unset m from 0, and 0 is never a useful m: it means the default.
    int m = request.getM() == 0 ? InterestQuery.DEFAULT_M : request.getM();
    return new InterestQuery(userId, history, features, m, 0);
  }

  static GetInterestsResponse toResponse(InterestReport report) {
    GetInterestsResponse.Builder out =
        GetInterestsResponse.newBuilder()
            .setModelName(report.model().name())
            .setModelVersion(report.model().version())
            .setColdStart(report.coldStart())
            .setFallback(report.fallback());
    for (InterestReport.Interest interest : report.interests()) {
      Interest.Builder i =
          out.addInterestsBuilder().setIndex(interest.index()).setNorm(interest.norm());
      for (InterestReport.ScoredItem item : interest.closestItems()) {
        ScoredItem.Builder s = i.addClosestItemsBuilder().setItemId(item.itemId());
        s.setScore(item.score());
        if (item.title() != null) {
          s.setTitle(item.title());
        }
      }
    }
    for (float[] row : report.cosine()) {
      CosineRow.Builder r = out.addCosineBuilder();
      for (float c : row) {
        r.addValues(c);
      }
    }
    for (InterestReport.HistoryEvent event : report.history()) {
      HistoryEvent.Builder h =
          out.addHistoryBuilder().setItemId(event.itemId()).setWindow(event.window());
      if (event.title() != null) {
        h.setTitle(event.title());
      }
    }
    return out.build();
  }

  /** Unset optional fields become {@code null}, as absent JSON fields do over REST. */
  static List<Event> toEvents(IngestRequest request, int maxBatch) {
    if (request.getEventsCount() > maxBatch) {
      throw new RankingException(
          ErrorType.TOO_MANY_EVENTS,
          "events",
          "events has "
              + request.getEventsCount()
              + " entries, at most "
              + maxBatch
              + " are allowed");
    }
    List<Event> events = new ArrayList<>(request.getEventsCount());
    for (dev.hcn.api.grpc.v1.Event e : request.getEventsList()) {
      events.add(
          new Event(
              e.getUserId().isEmpty() ? null : e.getUserId(),
              e.hasItemId() ? e.getItemId() : null,
              e.hasTimestamp() ? e.getTimestamp() : null));
    }
    return events;
  }

  static IngestResponse toResponse(IngestResult result) {
    return IngestResponse.newBuilder()
        .setAccepted(result.accepted())
        .setRejected(result.rejected())
        .setDuplicates(result.duplicates())
        .setStale(result.stale())
        .build();
  }

  /** The service's own checks, with its wording, made before the copies it would check. */
  private static void checkCounts(ItemIds candidates, ItemIds history, RankingProperties limits) {
    if (candidates.getIdsCount() > limits.maxCandidates()) {
      throw new RankingException(
          ErrorType.TOO_MANY_CANDIDATES,
          "candidates",
          "candidates has "
              + candidates.getIdsCount()
              + " ids, at most "
              + limits.maxCandidates()
              + " are allowed");
    }
    if (history.getIdsCount() > limits.maxHistory()) {
      throw new RankingException(
          ErrorType.HISTORY_TOO_LONG,
          "history",
          "history has "
              + history.getIdsCount()
              + " events, at most "
              + limits.maxHistory()
              + " are allowed");
    }
  }

  private static void checkFeatures(int count, RankingProperties limits) {
    if (count > limits.maxUserFeatures()) {
      throw new RankingException(
          ErrorType.INVALID_REQUEST,
          "userFeatures",
          "userFeatures has more than " + limits.maxUserFeatures() + " entries");
    }
  }

  /** Copies without boxing: the indexed getter reads the packed primitive list directly. */
  private static long[] toArray(ItemIds ids) {
    long[] out = new long[ids.getIdsCount()];
    for (int i = 0; i < out.length; i++) {
      out[i] = ids.getIds(i);
    }
    return out;
  }
}
