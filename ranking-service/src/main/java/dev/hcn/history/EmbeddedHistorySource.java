package dev.hcn.history;

import dev.hcn.model.BundleLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import tools.jackson.core.JacksonException;

/**
 * Serves the demo histories shipped with the bundle ({@code demo_histories.json}), so that the
 * service runs with no external store. Read once at start-up; a few hundred users.
 */
public final class EmbeddedHistorySource implements HistorySource {

  private final Map<String, UserHistory> users;

  private EmbeddedHistorySource(Map<String, UserHistory> users) {
    this.users = users;
  }

  /**
   * Reads {@code {"users": {"<id>": {"history": [...], "features": {...}}}}}.
   *
   * @throws IllegalStateException naming the file when it is missing or malformed
   */
  public static EmbeddedHistorySource read(Path file) {
    if (!Files.isRegularFile(file)) {
      throw new IllegalStateException("demo histories " + file.toAbsolutePath() + " are missing");
    }
    try {
      DemoFile demo = BundleLoader.JSON.readValue(file.toFile(), DemoFile.class);
      Map<String, UserHistory> users = new HashMap<>();
      if (demo.users() != null) {
        demo.users().forEach((id, u) -> users.put(id, new UserHistory(u.history(), u.features())));
      }
      return new EmbeddedHistorySource(Map.copyOf(users));
    } catch (JacksonException e) {
      throw new IllegalStateException(
          "demo histories " + file.toAbsolutePath() + " are malformed: " + e.getOriginalMessage(),
          e);
    }
  }

  @Override
  public UserHistory find(String userId) {
    return users.getOrDefault(userId, UserHistory.EMPTY);
  }

  /** Number of users served. */
  public int size() {
    return users.size();
  }

  private record DemoFile(Map<String, DemoUser> users) {}

  private record DemoUser(long[] history, Map<String, String> features) {}
}
