package dev.hcn.api.rest;

import dev.hcn.events.Event;
import dev.hcn.events.EventSink;
import dev.hcn.events.IngestResult;
import java.util.List;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.ResponseStatus;
import org.springframework.web.bind.annotation.RestController;

/** {@code POST /v1/events}: behaviour events into users' histories; 202 with what was stored. */
@RestController
class EventsController {

  private final EventSink events;

  EventsController(EventSink events) {
    this.events = events;
  }

  /** Body of {@code POST /v1/events}. */
  record EventsRequest(List<Event> events) {}

  @PostMapping(
      path = "/v1/events",
      consumes = MediaType.APPLICATION_JSON_VALUE,
      produces = MediaType.APPLICATION_JSON_VALUE)
  @ResponseStatus(HttpStatus.ACCEPTED)
  IngestResult ingest(@RequestBody EventsRequest request) {
    return events.ingest(request.events());
  }
}
