package dev.hcn.ranking;

import java.util.List;

/**
 * One API's start-up traffic: ranking requests the service sends to itself through that API, after
 * the model is warm and before readiness, so that the first real requests do not pay for loading
 * and interpreting the API's own code path (server, parser, serialiser).
 */
public interface ApiWarmUp {

  /**
   * Sends {@code requests} whole-catalogue ranking requests for {@code users} in turn (the heaviest
   * request, so that scoring is compiled as real traffic runs it) and waits for the answers. A
   * failing request is logged, never thrown: readiness must not depend on it.
   */
  void send(List<String> users, int requests);

  /** The API's name in logs ({@code rest}, {@code grpc}). */
  String name();
}
