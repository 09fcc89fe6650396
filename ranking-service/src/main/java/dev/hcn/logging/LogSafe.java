package dev.hcn.logging;

/**
 * Makes user-controlled text safe to log: every control character (CR and LF above all, which would
 * let a caller start a forged log line) is written as a visible escape, and overlong text is cut,
 * so one request cannot flood a log line either. Use it on every log argument that a caller can
 * influence: ids, paths, headers, echoed messages, exceptions whose message quotes input.
 */
public final class LogSafe {

  /** Longest text kept from one argument; the rest is replaced by a marker with its length. */
  static final int MAX_LENGTH = 512;

  private LogSafe() {}

  /**
   * {@code value} with control characters escaped ({@code \n}, {@code \r}, {@code \t}, {@code
   * \\u0000}).
   */
  public static String text(Object value) {
    if (value == null) {
      return "null";
    }
    String s = value.toString();
    int length = Math.min(s.length(), MAX_LENGTH);
    StringBuilder out = null;
    for (int i = 0; i < length; i++) {
      char c = s.charAt(i);
      if (!unsafe(c)) {
        if (out != null) {
          out.append(c);
        }
        continue;
      }
      if (out == null) {
        out = new StringBuilder(length + 16).append(s, 0, i);
      }
      switch (c) {
        case '\n' -> out.append("\\n");
        case '\r' -> out.append("\\r");
        case '\t' -> out.append("\\t");
        default -> out.append(String.format("\\u%04x", (int) c));
      }
    }
    if (s.length() > MAX_LENGTH) {
      return (out == null ? s.substring(0, MAX_LENGTH) : out) + "...(" + s.length() + " chars)";
    }
    return out == null ? s : out.toString();
  }

  /**
   * An exception fit to log with its stack trace: itself when no message in its cause chain holds a
   * control character, otherwise a copy whose messages are escaped (the original class names are
   * kept in the messages, the stack traces are the original ones).
   */
  public static Throwable exception(Throwable e) {
    return clean(e) ? e : copy(e, 0);
  }

  private static boolean clean(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      String m = t.getMessage();
      if (m != null && (m.length() > MAX_LENGTH || !m.equals(text(m)))) {
        return false;
      }
    }
    return true;
  }

  private static Throwable copy(Throwable e, int depth) {
    Throwable cause = e.getCause() == null || depth > 16 ? null : copy(e.getCause(), depth + 1);
    Escaped copy = new Escaped(e.getClass().getName() + ": " + text(e.getMessage()), cause);
    copy.setStackTrace(e.getStackTrace());
    return copy;
  }

  /** C0 and C1 controls, DEL, and the Unicode line and paragraph separators. */
  private static boolean unsafe(char c) {
    return c < 0x20 || (c >= 0x7f && c <= 0x9f) || c == '\u2028' || c == '\u2029';
  }

  /** Stands in for an exception whose message had to be escaped. */
  static final class Escaped extends RuntimeException {
    Escaped(String message, Throwable cause) {
      super(message, cause);
    }
  }
}
