package dev.hcn.history;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.DeserializationFeature;
import tools.jackson.databind.json.JsonMapper;

/**
 * Serves the demo histories shipped with the serving bundle (the manifest's {@code demo_histories}
 * file, sha256-checked when the bundle loaded), so that the service runs with no external store.
 * Read once per bundle; a few thousand users.
 */
public final class EmbeddedHistorySource implements HistorySource {

  private final Supplier<Demo> demo;

  private EmbeddedHistorySource(Supplier<Demo> demo) {
    this.demo = demo;
  }

  /** Follows the serving bundle: a newly installed bundle's demo histories replace the old ones. */
  public static EmbeddedHistorySource following(ServingBundleView serving) {
    AtomicReference<Demo> loaded = new AtomicReference<>();
    return new EmbeddedHistorySource(
        () -> {
          ServingBundleView.DemoHistories current = serving.demoHistories().orElse(null);
          if (current == null) {
            return Demo.NONE;
          }
          Demo d = loaded.get();
          if (d == null || d.bundle() != current.bundle()) {
            d = new Demo(current.bundle(), parse(current.file()));
            loaded.set(d);
          }
          return d;
        });
  }

  /**
   * One fixed file, {@code {"users": {"<id>": {"history": [...], "features": {...}}}}}.
   *
   * @throws IllegalStateException naming the file when it is missing or malformed
   */
  public static EmbeddedHistorySource read(Path file) {
    Demo d = new Demo(null, parse(file));
    return new EmbeddedHistorySource(() -> d);
  }

  @Override
  public UserHistory find(String userId) {
    return demo.get().users().getOrDefault(userId, UserHistory.EMPTY);
  }

  /** Number of users served. */
  public int size() {
    return demo.get().users().size();
  }

  private static Map<String, UserHistory> parse(Path file) {
    if (!Files.isRegularFile(file)) {
      throw new IllegalStateException("demo histories " + file.toAbsolutePath() + " are missing");
    }
    try {
      DemoFile demo = Json.MAPPER.readValue(file.toFile(), DemoFile.class);
      Map<String, UserHistory> users = new HashMap<>();
      if (demo.users() != null) {
        demo.users().forEach((id, u) -> users.put(id, new UserHistory(u.history(), u.features())));
      }
      return Map.copyOf(users);
    } catch (JacksonException e) {
      throw new IllegalStateException(
          "demo histories " + file.toAbsolutePath() + " are malformed: " + e.getOriginalMessage(),
          e);
    }
  }

  /**
   * Built on the first parse, not when the source is created at start. Unknown fields are ignored,
   * as in the bundle's other files, so exports may add some.
   */
  private static final class Json {
    static final JsonMapper MAPPER =
        JsonMapper.builder().disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES).build();
  }

  private record Demo(Object bundle, Map<String, UserHistory> users) {
    static final Demo NONE = new Demo(null, Map.of());
  }

  private record DemoFile(Map<String, DemoUser> users) {}

  private record DemoUser(long[] history, Map<String, String> features) {}
}
