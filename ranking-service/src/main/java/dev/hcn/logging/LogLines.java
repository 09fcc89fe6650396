package dev.hcn.logging;

/**
 * Keeps text that a log event carries (its message, its exceptions' messages) inside that event's
 * lines. Whatever the text, the event's output then has only two kinds of line at column 0: the
 * event's first line, which the layout starts with the timestamp, and the first lines of its
 * exceptions. So a line break in logged text cannot start what looks like another event, and log
 * shippers that join indented lines to the event before them keep it in its event.
 *
 * <p>Invariants: every line break (CR LF, CR, LF, NEL, U+2028, U+2029) becomes LF followed by
 * {@link #CONTINUATION}; every other C0 or C1 control character except tab, and DEL, becomes a
 * visible {@code \\uXXXX} escape (an ESC would let text recolour or overwrite a terminal); text
 * without either is returned as it is, the same instance. Unlike {@link LogSafe} nothing is cut:
 * multi-line messages that frameworks log by design (a failure report) stay whole and readable.
 */
public final class LogLines {

  /** What each continued line starts with: the indent of a stack frame, and a visible mark. */
  public static final String CONTINUATION = "\t| ";

  private LogLines() {}

  /** {@code text} with every line break followed by {@link #CONTINUATION}; null stays null. */
  public static String contained(String text) {
    if (text == null) {
      return null;
    }
    int first = firstUnsafe(text);
    if (first < 0) {
      return text;
    }
    StringBuilder out = new StringBuilder(text.length() + 16).append(text, 0, first);
    for (int i = first; i < text.length(); i++) {
      char c = text.charAt(i);
      if (lineBreak(c)) {
        if (c == '\r' && i + 1 < text.length() && text.charAt(i + 1) == '\n') {
          i++;
        }
        out.append('\n').append(CONTINUATION);
      } else if (control(c)) {
        out.append(String.format("\\u%04x", (int) c));
      } else {
        out.append(c);
      }
    }
    return out.toString();
  }

  private static int firstUnsafe(String text) {
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      if (lineBreak(c) || control(c)) {
        return i;
      }
    }
    return -1;
  }

  private static boolean lineBreak(char c) {
    return c == '\n' || c == '\r' || c == '\u0085' || c == '\u2028' || c == '\u2029';
  }

  private static boolean control(char c) {
    return (c < 0x20 && c != '\t') || (c >= 0x7f && c <= 0x9f);
  }
}
