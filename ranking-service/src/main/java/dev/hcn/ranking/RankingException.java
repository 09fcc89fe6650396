package dev.hcn.ranking;

/**
 * A request that cannot be answered, with a stable {@link ErrorType} and, for input errors, the
 * offending field. Both API adapters translate it in exactly one place each.
 */
public class RankingException extends RuntimeException {

  private final ErrorType type;
  private final String field;

  public RankingException(ErrorType type, String field, String message) {
    super(message);
    this.type = type;
    this.field = field;
  }

  public RankingException(ErrorType type, String message) {
    this(type, null, message);
  }

  public ErrorType type() {
    return type;
  }

  /** The request field at fault, or {@code null} when the error is not about one field. */
  public String field() {
    return field;
  }
}
