package dev.hcn.redis;

import java.time.Duration;
import java.util.List;

/** What the Redis tests do to the server(s) behind the service. */
interface RedisControl {

  /** Stops every server (the data is gone, as after a crash without persistence). */
  void stop();

  /** Starts them again on the same addresses and waits until they serve. */
  void start();

  /**
   * Makes every server stop answering for {@code pause} ({@code DEBUG SLEEP}), in the background.
   */
  void freeze(Duration pause);

  /** {@code --host/--port} (and {@code --cluster}) arguments for the bulk importer. */
  List<String> importerArgs();
}
