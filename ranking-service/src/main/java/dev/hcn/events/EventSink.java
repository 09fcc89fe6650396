package dev.hcn.events;

import java.util.List;

/** Where the events APIs hand their batches. */
public interface EventSink {

  /**
   * @throws dev.hcn.ranking.RankingException for bad input, or when the store cannot take them
   */
  IngestResult ingest(List<Event> events);
}
