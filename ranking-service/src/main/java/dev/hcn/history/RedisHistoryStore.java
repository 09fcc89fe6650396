package dev.hcn.history;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.IntSupplier;
import org.springframework.core.io.ClassPathResource;
import org.springframework.data.redis.connection.RedisConnection;
import org.springframework.data.redis.connection.ReturnType;
import org.springframework.data.redis.core.RedisCallback;
import org.springframework.data.redis.core.StringRedisTemplate;
import org.springframework.util.StreamUtils;

/**
 * Histories and features in Redis (single node or Cluster, whichever {@code spring.data.redis.*}
 * describes), in the layout of {@link RedisKeys}. A read is one round trip: the LIST and the HASH
 * are read in one pipeline. A write is one script per user, pipelined across users.
 */
public final class RedisHistoryStore implements HistorySource, HistoryWriter {

  static final byte[] APPEND_SCRIPT = script("redis/append-events.lua");

  private final StringRedisTemplate redis;
  private final RedisKeys keys;
  private final IntSupplier length;

  /**
   * @param length events kept and read per user, asked on every call (it follows the serving
   *     bundle)
   */
  public RedisHistoryStore(StringRedisTemplate redis, RedisKeys keys, IntSupplier length) {
    this.redis = redis;
    this.keys = keys;
    this.length = length;
  }

  @Override
  public UserHistory find(String userId) {
    int n = length.getAsInt();
    byte[] hist = bytes(keys.history(userId));
    byte[] feat = bytes(keys.features(userId));
    List<Object> answers =
        redis.executePipelined(
            (RedisCallback<Object>)
                c -> {
                  c.listCommands().lRange(hist, 0, n - 1);
                  c.hashCommands().hGetAll(feat);
                  return null;
                });
    @SuppressWarnings("unchecked")
    List<String> newestFirst = (List<String>) answers.get(0);
    @SuppressWarnings("unchecked")
    Map<String, String> features = (Map<String, String>) answers.get(1);
    long[] items = new long[newestFirst == null ? 0 : newestFirst.size()];
    int count = 0;
    for (int i = items.length - 1; i >= 0; i--) {
      Long id = parse(newestFirst.get(i));
      if (id != null) { // a foreign entry is skipped rather than failing the user's ranking
        items[count++] = id;
      }
    }
    if (count < items.length) {
      items = java.util.Arrays.copyOf(items, count);
    }
    return new UserHistory(items, features);
  }

  @Override
  public Map<String, Appended> append(Map<String, List<Event>> eventsByUser) {
    int n = length.getAsInt();
    List<String> users = new ArrayList<>(eventsByUser.keySet());
    List<Object> answers =
        redis.executePipelined(
            (RedisCallback<Object>)
                c -> {
                  for (String user : users) {
                    eval(c, user, eventsByUser.get(user), n);
                  }
                  return null;
                });
    Map<String, Appended> out = new LinkedHashMap<>();
    for (int i = 0; i < users.size(); i++) {
      Object answer = answers.get(i);
      if (!(answer instanceof List<?> counts) || counts.size() != 3) {
        throw new IllegalStateException("unexpected answer of the append script: " + answer);
      }
      out.put(
          users.get(i),
          new Appended(number(counts.get(0)), number(counts.get(1)), number(counts.get(2))));
    }
    return out;
  }

  /** Answers PONG when the store is reachable. */
  public String ping() {
    return redis.execute(RedisConnection::ping);
  }

  private void eval(RedisConnection c, String user, List<Event> events, int n) {
    byte[][] keysAndArgs = new byte[4 + 2 * events.size()][];
    keysAndArgs[0] = bytes(keys.history(user));
    keysAndArgs[1] = bytes(keys.seen(user));
    keysAndArgs[2] = bytes(Integer.toString(n));
    keysAndArgs[3] = bytes(Integer.toString(n)); // the guard remembers what the history holds
    int a = 4;
    for (Event e : events) {
      keysAndArgs[a++] = bytes(Long.toString(e.itemId()));
      keysAndArgs[a++] = bytes(Long.toString(e.timestamp()));
    }
    c.scriptingCommands().eval(APPEND_SCRIPT, ReturnType.MULTI, 2, keysAndArgs);
  }

  private static Long parse(String s) {
    try {
      return s == null ? null : Long.parseLong(s);
    } catch (NumberFormatException e) {
      return null;
    }
  }

  private static int number(Object o) {
    return o instanceof Number n ? n.intValue() : Integer.parseInt(String.valueOf(o));
  }

  private static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  private static byte[] script(String resource) {
    try (var in = new ClassPathResource(resource).getInputStream()) {
      return StreamUtils.copyToByteArray(in);
    } catch (java.io.IOException e) {
      throw new IllegalStateException("missing " + resource, e);
    }
  }
}
