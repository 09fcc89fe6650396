package dev.hcn.loadtest;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The parsed command line of {@link HcnCli}. Lists left out are {@code null} (whole catalogue,
 * stored history, stored features); a list given empty ({@code --history ""}) is sent empty.
 *
 * @param command what to do
 * @param target gRPC target, {@code host:port}
 * @param userId user to rank for, or {@code null}
 * @param k how many items to return
 * @param candidates candidate ids, or {@code null} for the whole catalogue
 * @param history inline history (oldest first), or {@code null}
 * @param features inline user features, or {@code null}
 * @param explain ask for each item's dominant interest
 * @param deadlineMs the call's deadline in milliseconds
 * @param json print JSON instead of a table
 */
record CliArgs(
    Command command,
    String target,
    String userId,
    int k,
    long[] candidates,
    long[] history,
    Map<String, String> features,
    boolean explain,
    long deadlineMs,
    boolean json) {

  enum Command {
    RANK,
    MODEL,
    HELP
  }

  static final String DEFAULT_TARGET = "localhost:9090";
  static final int DEFAULT_K = 10;
  static final long DEFAULT_DEADLINE_MS = 5_000;

  static final String USAGE =
      """
      usage: hcn-cli rank  [--target host:port] [--user ID] [--k N] [--candidates 1,2,3]
                           [--history 4,5,6] [--features gender=F,age=25] [--explain]
                           [--deadline-ms MS] [--json]
             hcn-cli model [--target host:port] [--deadline-ms MS] [--json]
             hcn-cli help

        --target       gRPC address of the ranking service (default localhost:9090)
        --user         user whose stored history and features are used
        --k            number of items to return (default 10)
        --candidates   item ids to rank; left out = the whole catalogue
        --history      inline history, oldest first, instead of the stored one ("" = empty)
        --features     inline user features name=value,... instead of the stored ones
        --explain      show each item's dominant interest
        --deadline-ms  deadline of the call, once connected (default 5000)
        --json         print JSON instead of a table
      exit status: 0 ok, 1 the call failed (gRPC status printed), 2 bad command line
      """;

  /** A command line that cannot be run; the message says which argument is wrong. */
  static final class UsageException extends Exception {
    UsageException(String message) {
      super(message);
    }
  }

  static CliArgs parse(String... args) throws UsageException {
    if (args.length == 0) {
      throw new UsageException("missing command (rank, model or help)");
    }
    Command command =
        switch (args[0]) {
          case "rank" -> Command.RANK;
          case "model" -> Command.MODEL;
          case "help", "-h", "--help" -> Command.HELP;
          default -> throw new UsageException("unknown command: " + args[0]);
        };
    String target = DEFAULT_TARGET;
    String userId = null;
    int k = DEFAULT_K;
    long[] candidates = null;
    long[] history = null;
    Map<String, String> features = null;
    boolean explain = false;
    long deadlineMs = DEFAULT_DEADLINE_MS;
    boolean json = false;
    for (int i = 1; i < args.length; i++) {
      String arg = args[i];
      if (arg.equals("--explain") || arg.equals("--json")) {
        explain |= arg.equals("--explain");
        json |= arg.equals("--json");
        continue;
      }
      String name = arg;
      String value;
      int eq = arg.indexOf('=');
      if (arg.startsWith("--") && eq > 0) {
        name = arg.substring(0, eq);
        value = arg.substring(eq + 1);
      } else if (i + 1 < args.length) {
        value = args[++i];
      } else {
        throw new UsageException(known(name) ? name + " needs a value" : "unknown option: " + name);
      }
      switch (name) {
        case "--target" -> target = requireText(name, value);
        case "--user" -> userId = requireText(name, value);
        case "--k" -> k = Math.toIntExact(positive(name, value));
        case "--candidates" -> candidates = ids(name, value);
        case "--history" -> history = ids(name, value);
        case "--features" -> features = features(value);
        case "--deadline-ms" -> deadlineMs = positive(name, value);
        default -> throw new UsageException("unknown option: " + name);
      }
    }
    if (command == Command.MODEL && (userId != null || candidates != null || history != null)) {
      throw new UsageException("model takes only --target, --deadline-ms and --json");
    }
    return new CliArgs(
        command, target, userId, k, candidates, history, features, explain, deadlineMs, json);
  }

  private static boolean known(String name) {
    return switch (name) {
      case "--target",
          "--user",
          "--k",
          "--candidates",
          "--history",
          "--features",
          "--deadline-ms" ->
          true;
      default -> false;
    };
  }

  private static String requireText(String name, String value) throws UsageException {
    if (value.isBlank()) {
      throw new UsageException(name + " must not be empty");
    }
    return value.strip();
  }

  private static long positive(String name, String value) throws UsageException {
    long n;
    try {
      n = Long.parseLong(value.strip());
    } catch (NumberFormatException e) {
      throw new UsageException(name + " must be a whole number, was '" + value + "'");
    }
    if (n <= 0 || n > Integer.MAX_VALUE) {
      throw new UsageException(name + " must be between 1 and " + Integer.MAX_VALUE);
    }
    return n;
  }

  private static long[] ids(String name, String value) throws UsageException {
    if (value.isBlank()) {
      return new long[0];
    }
    String[] parts = value.split(",");
    long[] out = new long[parts.length];
    for (int i = 0; i < parts.length; i++) {
      try {
        out[i] = Long.parseLong(parts[i].strip());
      } catch (NumberFormatException e) {
        throw new UsageException(
            name + " takes item ids separated by commas, got '" + parts[i] + "'");
      }
    }
    return out;
  }

  private static Map<String, String> features(String value) throws UsageException {
    Map<String, String> out = new LinkedHashMap<>();
    if (value.isBlank()) {
      return out;
    }
    for (String pair : value.split(",")) {
      int eq = pair.indexOf('=');
      if (eq <= 0) {
        throw new UsageException("--features takes name=value pairs, got '" + pair + "'");
      }
      out.put(pair.substring(0, eq).strip(), pair.substring(eq + 1).strip());
    }
    return out;
  }

  @Override
  public String toString() {
    return "CliArgs[%s %s user=%s k=%d candidates=%s history=%s features=%s explain=%b deadline=%dms json=%b]"
        .formatted(
            command,
            target,
            userId,
            k,
            candidates == null ? null : Arrays.toString(candidates),
            history == null ? null : Arrays.toString(history),
            features,
            explain,
            deadlineMs,
            json);
  }
}
