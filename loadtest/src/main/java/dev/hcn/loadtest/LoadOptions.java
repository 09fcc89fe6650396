package dev.hcn.loadtest;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * The load generator's command line, parsed by the shared {@link Args}.
 *
 * @param api {@code grpc} or {@code rest}
 * @param target {@code host:port} for gRPC, a base URL for REST
 * @param rate requests per second (the first rate of {@code --find-max})
 * @param duration measured time per rate
 * @param warmup time at the first rate before measuring, results discarded
 * @param poissonArrivals requests as a Poisson stream of {@code rate} instead of one every {@code 1
 *     / rate} (see {@link ArrivalSchedule#poisson})
 * @param ramp how long the first phase (the warm-up, or without one the first measured run) takes
 *     to reach its rate from zero, linearly
 * @param k items per request
 * @param candidates candidates per request drawn from the bundle's catalogue; 0 = whole catalogue
 * @param bundle bundle folder whose {@code item_ids.i64} is the catalogue (candidate-list mode)
 * @param candidateSets distinct candidate lists prepared up front and used in turn
 * @param users fixed user ids used in turn; ignored when {@code distinctUsers}
 * @param distinctUsers every request for a new user id, never repeated
 * @param deadlineMs per-request deadline (gRPC deadline, REST timeout)
 * @param maxInFlight requests outstanding at most; the schedule waits when it is reached
 * @param slo objective judged on the intended-time latency, or {@code null}
 * @param runs measured runs back to back in one process, each reported on its own
 * @param findMax step the rate up until the objective is missed
 * @param rateStep increment of {@code --find-max}
 * @param maxRate the highest rate {@code --find-max} tries
 * @param out folder for the JSON, .hgrm and PNG files, or {@code null}
 * @param name file-name prefix of those files
 * @param metricsUrl the service's Prometheus endpoint, scraped before and after each run to report
 *     server time per request, or {@code null}
 * @param seed seed of the candidate draw and of Poisson arrivals
 * @param json print JSON instead of a table
 * @param quiet no progress line
 */
record LoadOptions(
    String api,
    String target,
    double rate,
    Duration duration,
    Duration warmup,
    boolean poissonArrivals,
    Duration ramp,
    int k,
    int candidates,
    Path bundle,
    int candidateSets,
    List<String> users,
    boolean distinctUsers,
    long deadlineMs,
    int maxInFlight,
    Slo slo,
    int runs,
    boolean findMax,
    double rateStep,
    double maxRate,
    Path out,
    String name,
    String metricsUrl,
    long seed,
    boolean json,
    boolean quiet) {

  static final String USAGE =
      """
      usage: hcn-load [--api grpc|rest] [--target ADDR] [--rate R] [--duration 30s] [--warmup 10s]
                      [--arrivals constant|poisson] [--ramp 30s] [--runs N]
                      [--k N] [--candidates N --bundle DIR | (whole catalogue)]
                      [--users 42,1000 | --user-range 1000-1299 | --distinct-users]
                      [--slo p99=10ms] [--find-max [--rate-step R] [--max-rate R]]
                      [--out DIR] [--name NAME] [--metrics-url URL] [--json] [--quiet]
        (also: hcn-cli load ..., or java -cp hcn-cli.jar dev.hcn.loadtest.LoadGenerator ...)

        --api             grpc (default) or rest
        --target          gRPC host:port (default localhost:9090) or REST base URL
                          (default http://localhost:8080)
        --rate            requests per second, sent on a fixed schedule (default 100)
        --duration        measured time per rate: 30s, 500ms, 2m (default 30s)
        --warmup          the same load before measuring, discarded (default 10s)
        --arrivals        constant (default): one request every 1/rate; poisson: the same
                          rate as a Poisson stream (independent callers, whose requests
                          cluster), drawn from --seed
        --ramp            the first phase (the warm-up, or without one the first measured run)
                          starts at rate 0 and reaches --rate linearly over this time, as a load
                          balancer's slow start does for a new replica; a measured ramp counts
                          in the results (default 0s: the full rate from the first request)
        --k               items per request (default 100)
        --candidates      N candidates per request, drawn from the catalogue of --bundle;
                          left out = every request ranks the whole catalogue
        --bundle          model bundle folder (its item_ids.i64 is the catalogue)
        --candidate-sets  distinct candidate lists prepared and used in turn (default 16)
        --seed            seed of the candidate draw and of Poisson arrivals (default 1)
        --users           fixed set of user ids, used in turn (default 42)
        --user-range      user ids FROM-TO (inclusive), used in turn
        --distinct-users  a new user id for every request (hcn-load-<run>-<n>): no cache helps
        --deadline-ms     per-request deadline / timeout (default 1000)
        --max-in-flight   outstanding requests at most; when reached the schedule waits and the
                          intended-time column shows it (default 128)
        --runs            N measured runs back to back on the same connections and the same
                          warm process, each printed (and written, NAME-1, NAME-2, ...) on
                          its own: a long run watched in rounds (default 1)
        --slo             objective on the intended-time latency, e.g. p99=10ms or
                          p50=2ms,p99=10ms; failed requests count as too slow
        --find-max        step the rate from --rate by --rate-step (default: --rate) up to
                          --max-rate (default 100000) and report the highest rate meeting --slo
        --out             write NAME.json, NAME.intended.hgrm, NAME.actual.hgrm, NAME.png there
        --name            file-name prefix (default: api-rate-candidates)
        --metrics-url     Prometheus endpoint of the service (e.g.
                          http://localhost:8081/actuator/prometheus): report server time per
                          request and per stage, and client minus server
        --json            print the result as JSON instead of a table
        --quiet           no progress line
      exit status: 0 ran (and met --slo), 1 --slo missed, 2 bad command line, 3 could not run
      """;

  private static final Args.Spec SPEC =
      new Args.Spec()
          .flags("--distinct-users", "--find-max", "--json", "--quiet", "--help", "-h")
          .options(
              "--api",
              "--target",
              "--rate",
              "--duration",
              "--warmup",
              "--arrivals",
              "--ramp",
              "--k",
              "--candidates",
              "--bundle",
              "--candidate-sets",
              "--seed",
              "--users",
              "--user-range",
              "--deadline-ms",
              "--max-in-flight",
              "--slo",
              "--runs",
              "--rate-step",
              "--max-rate",
              "--out",
              "--name",
              "--metrics-url");

  /**
   * Whether the command line only asks for the usage text: {@code --help} or {@code -h} anywhere,
   * or {@code help} as the first word (a value such as {@code --name help} is not a request for
   * help).
   */
  static boolean wantsHelp(String... args) {
    if (args.length > 0 && args[0].equals("help")) {
      return true;
    }
    for (String a : args) {
      if (a.equals("--help") || a.equals("-h")) {
        return true;
      }
    }
    return false;
  }

  static LoadOptions parse(String... args) throws Args.UsageException {
    Args a = SPEC.parse(args, 0);
    String api = a.choice("--api", "grpc", "grpc", "rest");
    String target =
        a.text("--target", api.equals("grpc") ? "localhost:9090" : "http://localhost:8080");
    double rate = a.positiveDouble("--rate", 100);
    Duration duration = a.duration("--duration", Duration.ofSeconds(30));
    if (duration.isZero()) {
      throw new Args.UsageException("--duration must be positive");
    }
    Duration warmup = a.duration("--warmup", Duration.ofSeconds(10));
    boolean poisson = a.choice("--arrivals", "constant", "constant", "poisson").equals("poisson");
    Duration ramp = a.duration("--ramp", Duration.ZERO);
    Duration first = warmup.isZero() ? duration : warmup;
    if (ramp.compareTo(first) > 0) {
      throw new Args.UsageException(
          "--ramp must not be longer than the phase it ramps (--warmup, or --duration without one)");
    }
    int k = a.positiveInt("--k", 100);

    int candidates = a.has("--candidates") ? a.positiveInt("--candidates", 1) : 0;
    String bundle = a.text("--bundle", null);
    if (candidates > 0 && bundle == null) {
      throw new Args.UsageException("--candidates needs --bundle (the catalogue to draw from)");
    }
    int sets = a.positiveInt("--candidate-sets", 16);
    long seed = a.has("--seed") ? a.positiveInt("--seed", 1) : 1;

    List<String> mix = a.given("--users", "--user-range", "--distinct-users");
    if (mix.size() > 1) {
      throw new Args.UsageException("give only one of " + String.join(", ", mix));
    }
    List<String> users = a.has("--user-range") ? range(a.text("--user-range", null)) : null;
    if (users == null) {
      users = a.has("--users") ? a.list("--users") : List.of("42");
    }

    Slo slo = a.has("--slo") ? Slo.parse(a.text("--slo", null)) : null;
    boolean findMax = a.flag("--find-max");
    if (findMax && slo == null) {
      throw new Args.UsageException("--find-max needs --slo (the objective each rate must meet)");
    }
    int runs = a.positiveInt("--runs", 1);
    if (findMax && runs > 1) {
      throw new Args.UsageException("--runs does not go with --find-max (each rate is one run)");
    }
    if (!findMax && !a.given("--rate-step", "--max-rate").isEmpty()) {
      throw new Args.UsageException("--rate-step and --max-rate only go with --find-max");
    }
    double step = a.positiveDouble("--rate-step", rate);
    double maxRate = a.positiveDouble("--max-rate", 100_000);

    String out = a.text("--out", null);
    String name =
        a.text(
            "--name",
            api + "-" + Report.number(rate) + "rps-" + (candidates > 0 ? candidates : "catalogue"));
    if (!name.matches("[A-Za-z0-9._-]+")) {
      throw new Args.UsageException("--name may hold only letters, digits, '.', '_' and '-'");
    }
    return new LoadOptions(
        api,
        target,
        rate,
        duration,
        warmup,
        poisson,
        ramp,
        k,
        candidates,
        bundle == null ? null : Path.of(bundle),
        sets,
        users,
        a.flag("--distinct-users"),
        a.positiveInt("--deadline-ms", 1_000),
        a.positiveInt("--max-in-flight", 128),
        slo,
        runs,
        findMax,
        step,
        maxRate,
        out == null ? null : Path.of(out),
        name,
        a.text("--metrics-url", null),
        seed,
        a.flag("--json"),
        a.flag("--quiet"));
  }

  /** {@code 1000-1299}: the ids 1000 to 1299 inclusive. */
  private static List<String> range(String text) throws Args.UsageException {
    int dash = text.indexOf('-', 1);
    long from;
    long to;
    try {
      from = Long.parseLong(text.substring(0, dash).strip());
      to = Long.parseLong(text.substring(dash + 1).strip());
    } catch (RuntimeException e) {
      throw new Args.UsageException(
          "--user-range takes FROM-TO such as 1000-1299, got '" + text + "'");
    }
    if (to < from || to - from >= 10_000_000) {
      throw new Args.UsageException(
          "--user-range must have FROM <= TO and at most 10,000,000 ids, got '" + text + "'");
    }
    List<String> out = new ArrayList<>((int) (to - from + 1));
    for (long id = from; id <= to; id++) {
      out.add(Long.toString(id));
    }
    return List.copyOf(out);
  }

  /** What the run sends, for the report's first line. */
  String describe() {
    String cands = candidates > 0 ? candidates + " candidates" : "whole catalogue";
    String mix =
        distinctUsers
            ? "distinct users"
            : users.size() == 1 ? "user " + users.get(0) : users.size() + " users in turn";
    return "%s %s, %s, k=%d, %s%s"
        .formatted(api, target, cands, k, mix, poissonArrivals ? ", Poisson arrivals" : "");
  }
}
