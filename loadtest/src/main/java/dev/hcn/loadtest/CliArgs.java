package dev.hcn.loadtest;

import java.util.Arrays;
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
             hcn-cli load  [load generator options; hcn-cli load --help lists them]
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

  private static final Args.Spec SPEC =
      new Args.Spec()
          .flags("--explain", "--json")
          .options(
              "--target",
              "--user",
              "--k",
              "--candidates",
              "--history",
              "--features",
              "--deadline-ms");

  static CliArgs parse(String... args) throws Args.UsageException {
    if (args.length == 0) {
      throw new Args.UsageException("missing command (rank, model, load or help)");
    }
    Command command =
        switch (args[0]) {
          case "rank" -> Command.RANK;
          case "model" -> Command.MODEL;
          case "help", "-h", "--help" -> Command.HELP;
          default -> throw new Args.UsageException("unknown command: " + args[0]);
        };
    Args a = SPEC.parse(args, 1);
    if (command == Command.MODEL
        && !a.given("--user", "--candidates", "--history", "--features", "--k", "--explain")
            .isEmpty()) {
      throw new Args.UsageException("model takes only --target, --deadline-ms and --json");
    }
    return new CliArgs(
        command,
        a.text("--target", DEFAULT_TARGET),
        a.text("--user", null),
        a.positiveInt("--k", DEFAULT_K),
        a.ids("--candidates"),
        a.ids("--history"),
        a.pairs("--features"),
        a.flag("--explain"),
        a.positiveInt("--deadline-ms", (int) DEFAULT_DEADLINE_MS),
        a.flag("--json"));
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
