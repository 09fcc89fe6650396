package dev.hcn.redis;

import java.util.List;

/** What the Redis tests do to the server(s) behind the service. */
interface RedisControl {

  /** Stops every server (the data is gone, as after a crash without persistence). */
  void stop();

  /** Starts them again on the same addresses and waits until they serve. */
  void start();

  /**
   * Makes every server stop answering until {@link #thaw()}, and returns once none can answer any
   * more: a command sent after it waits, however the machine schedules the test.
   */
  void freeze();

  /** Lets the frozen servers answer again. */
  void thaw();

  /** {@code --host/--port} (and {@code --cluster}) arguments for the bulk importer. */
  List<String> importerArgs();
}
