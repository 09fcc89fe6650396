package dev.hcn.loadtest;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * The one command-line parser of {@code hcn-cli} and the load generator: {@code --name value},
 * {@code --name=value} and bare flags; the last of a repeated option wins. Each tool declares its
 * options, then reads typed values whose errors name the option.
 */
final class Args {

  /** A command line that cannot be run; the message says which argument is wrong. */
  static final class UsageException extends Exception {
    UsageException(String message) {
      super(message);
    }
  }

  /** The options one tool accepts. */
  static final class Spec {
    private final Set<String> flags = new TreeSet<>();
    private final Set<String> options = new TreeSet<>();

    Spec flags(String... names) {
      flags.addAll(List.of(names));
      return this;
    }

    Spec options(String... names) {
      options.addAll(List.of(names));
      return this;
    }

    /** Parses {@code args[from ..]}. */
    Args parse(String[] args, int from) throws UsageException {
      Map<String, String> values = new HashMap<>();
      Set<String> seenFlags = new TreeSet<>();
      for (int i = from; i < args.length; i++) {
        String arg = args[i];
        if (flags.contains(arg)) {
          seenFlags.add(arg);
          continue;
        }
        String name = arg;
        String value;
        int eq = arg.indexOf('=');
        if (arg.startsWith("--") && eq > 0) {
          name = arg.substring(0, eq);
          value = arg.substring(eq + 1);
        } else if (options.contains(name) && i + 1 < args.length) {
          value = args[++i];
        } else {
          throw new UsageException(
              options.contains(name) ? name + " needs a value" : "unknown option: " + name);
        }
        if (!options.contains(name)) {
          throw new UsageException("unknown option: " + name);
        }
        values.put(name, value);
      }
      return new Args(values, seenFlags);
    }
  }

  private final Map<String, String> values;
  private final Set<String> flags;

  private Args(Map<String, String> values, Set<String> flags) {
    this.values = values;
    this.flags = flags;
  }

  boolean flag(String name) {
    return flags.contains(name);
  }

  boolean has(String name) {
    return values.containsKey(name);
  }

  /** The names given among {@code names}, for "only one of" and "takes only" checks. */
  List<String> given(String... names) {
    List<String> out = new ArrayList<>();
    for (String name : names) {
      if (has(name) || flag(name)) {
        out.add(name);
      }
    }
    return out;
  }

  String text(String name, String fallback) throws UsageException {
    String value = values.get(name);
    if (value == null) {
      return fallback;
    }
    if (value.isBlank()) {
      throw new UsageException(name + " must not be empty");
    }
    return value.strip();
  }

  /** One of {@code choices}, compared case-insensitively. */
  String choice(String name, String fallback, String... choices) throws UsageException {
    String value = text(name, fallback);
    for (String choice : choices) {
      if (choice.equalsIgnoreCase(value)) {
        return choice;
      }
    }
    throw new UsageException(
        name + " must be one of " + String.join(", ", choices) + ", was '" + value + "'");
  }

  /** A whole number in {@code 1 .. Integer.MAX_VALUE}. */
  int positiveInt(String name, int fallback) throws UsageException {
    String value = values.get(name);
    if (value == null) {
      return fallback;
    }
    long n;
    try {
      n = Long.parseLong(value.strip());
    } catch (NumberFormatException e) {
      throw new UsageException(name + " must be a whole number, was '" + value + "'");
    }
    if (n <= 0 || n > Integer.MAX_VALUE) {
      throw new UsageException(name + " must be between 1 and " + Integer.MAX_VALUE);
    }
    return (int) n;
  }

  double positiveDouble(String name, double fallback) throws UsageException {
    String value = values.get(name);
    if (value == null) {
      return fallback;
    }
    double d;
    try {
      d = Double.parseDouble(value.strip());
    } catch (NumberFormatException e) {
      throw new UsageException(name + " must be a number, was '" + value + "'");
    }
    if (!(d > 0 && d < Double.POSITIVE_INFINITY)) {
      throw new UsageException(name + " must be positive, was '" + value + "'");
    }
    return d;
  }

  /** {@code 30s}, {@code 500ms}, {@code 2m}, or a plain number of seconds; zero allowed. */
  Duration duration(String name, Duration fallback) throws UsageException {
    String value = values.get(name);
    return value == null ? fallback : parseDuration(name, value);
  }

  static Duration parseDuration(String name, String value) throws UsageException {
    String v = value.strip().toLowerCase(Locale.ROOT);
    long unitNanos;
    String number;
    if (v.endsWith("ms")) {
      unitNanos = 1_000_000L;
      number = v.substring(0, v.length() - 2);
    } else if (v.endsWith("us")) {
      unitNanos = 1_000L;
      number = v.substring(0, v.length() - 2);
    } else if (v.endsWith("s")) {
      unitNanos = 1_000_000_000L;
      number = v.substring(0, v.length() - 1);
    } else if (v.endsWith("m")) {
      unitNanos = 60_000_000_000L;
      number = v.substring(0, v.length() - 1);
    } else {
      unitNanos = 1_000_000_000L;
      number = v;
    }
    double amount;
    try {
      amount = Double.parseDouble(number.strip());
    } catch (NumberFormatException e) {
      throw new UsageException(
          name + " takes a duration such as 30s, 500ms or 2m, was '" + value + "'");
    }
    if (!(amount >= 0 && amount * unitNanos < Long.MAX_VALUE)) {
      throw new UsageException(name + " must not be negative, was '" + value + "'");
    }
    return Duration.ofNanos(Math.round(amount * unitNanos));
  }

  /** Comma-separated item ids; {@code null} when left out, empty when given empty. */
  long[] ids(String name) throws UsageException {
    String value = values.get(name);
    if (value == null) {
      return null;
    }
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

  /** Comma-separated non-empty words; {@code null} when left out. */
  List<String> list(String name) throws UsageException {
    String value = values.get(name);
    if (value == null) {
      return null;
    }
    List<String> out = new ArrayList<>();
    for (String part : value.split(",")) {
      if (part.isBlank()) {
        throw new UsageException(name + " takes a list separated by commas, with no empty entry");
      }
      out.add(part.strip());
    }
    return out;
  }

  /** {@code name=value,...}; {@code null} when left out, empty when given empty. */
  Map<String, String> pairs(String name) throws UsageException {
    String value = values.get(name);
    if (value == null) {
      return null;
    }
    Map<String, String> out = new LinkedHashMap<>();
    if (value.isBlank()) {
      return out;
    }
    for (String pair : value.split(",")) {
      int eq = pair.indexOf('=');
      if (eq <= 0) {
        throw new UsageException(name + " takes name=value pairs, got '" + pair + "'");
      }
      out.put(pair.substring(0, eq).strip(), pair.substring(eq + 1).strip());
    }
    return out;
  }
}
