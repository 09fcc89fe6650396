package dev.hcn.api.rest;

import dev.hcn.ranking.ErrorType;
import dev.hcn.ranking.RankingException;
import java.util.Arrays;
import tools.jackson.core.JsonParser;
import tools.jackson.core.JsonToken;
import tools.jackson.databind.BeanProperty;
import tools.jackson.databind.DatabindException;
import tools.jackson.databind.DeserializationContext;
import tools.jackson.databind.ValueDeserializer;

/**
 * Reads a JSON array of item ids straight into a {@code long[]}: no boxed {@code Long}s, no
 * intermediate list, and the request's limit is enforced while reading, so an over-long list stops
 * at the first id past the limit instead of being parsed and allocated whole.
 *
 * <p>Strict on purpose: only whole numbers in the int64 range are ids (no strings, fractions or
 * nulls), so REST accepts exactly what the gRPC {@code repeated int64} field can carry. The limits
 * come from the mapper's {@link #LIMITS} attribute (see {@link RestJsonConfig}); the field name
 * picks which one.
 */
final class ItemIdArrayDeserializer extends ValueDeserializer<long[]> {

  /** Mapper attribute holding the {@link Limits}. */
  static final String LIMITS = ItemIdArrayDeserializer.class.getName() + ".limits";

  /** Most ids per field: {@code candidates} and {@code history}. */
  record Limits(int maxCandidates, int maxHistory) {}

  private static final int FIRST_CAPACITY = 1024;

  private final String field;

  ItemIdArrayDeserializer() {
    this("ids");
  }

  private ItemIdArrayDeserializer(String field) {
    this.field = field;
  }

  @Override
  public ValueDeserializer<?> createContextual(DeserializationContext ctxt, BeanProperty property) {
    return property == null ? this : new ItemIdArrayDeserializer(property.getName());
  }

  @Override
  public long[] deserialize(JsonParser p, DeserializationContext ctxt) {
    if (!p.isExpectedStartArrayToken()) {
      return ctxt.reportInputMismatch(this, "%s must be an array of item ids", field);
    }
    int limit = limit(ctxt);
    long[] ids = new long[Math.min(limit, FIRST_CAPACITY)];
    int n = 0;
    JsonToken t;
    while ((t = p.nextToken()) != JsonToken.END_ARRAY) {
      if (t != JsonToken.VALUE_NUMBER_INT
          || p.getNumberType() == JsonParser.NumberType.BIG_INTEGER) {
        // The path names the element, as Jackson's own array readers do: "candidates[1]".
        throw DatabindException.from(p, "item ids must be whole numbers in the int64 range")
            .prependPath(ids, n);
      }
      if (n == limit) {
        throw tooMany(limit);
      }
      if (n == ids.length) {
        ids = Arrays.copyOf(ids, (int) Math.min(limit, 2L * ids.length));
      }
      ids[n++] = p.getLongValue();
    }
    return n == ids.length ? ids : Arrays.copyOf(ids, n);
  }

  private int limit(DeserializationContext ctxt) {
    if (!(ctxt.getAttribute(LIMITS) instanceof Limits limits)) {
      return Integer.MAX_VALUE - 8;
    }
    return switch (field) {
      case "candidates" -> limits.maxCandidates();
      case "history" -> limits.maxHistory();
      default -> Integer.MAX_VALUE - 8;
    };
  }

  private RankingException tooMany(int limit) {
    // The same types and wording as the service's own check, which stays for gRPC and tests.
    ErrorType type =
        field.equals("history") ? ErrorType.HISTORY_TOO_LONG : ErrorType.TOO_MANY_CANDIDATES;
    String unit = field.equals("history") ? "events" : "ids";
    return new RankingException(
        type,
        field,
        "%s has more than %d %s, at most %d are allowed".formatted(field, limit, unit, limit));
  }
}
