package dev.hcn.loadtest;

import dev.hcn.api.grpc.v1.GetModelResponse;
import dev.hcn.api.grpc.v1.RankResponse;
import dev.hcn.api.grpc.v1.RankedItem;

/** Renders responses as a table for people or as JSON shaped like the REST API's answers. */
final class Printer {

  private Printer() {}

  static String table(RankResponse r) {
    StringBuilder out = new StringBuilder();
    out.append(
        "model %s %s | scored %d | unknown %d | cold start %s | fallback %s%n"
            .formatted(
                r.getModelName(),
                r.getModelVersion(),
                r.getCandidatesScored(),
                r.getCandidatesUnknown(),
                yesNo(r.getColdStart()),
                yesNo(r.getFallback())));
    boolean explained = r.getItemsCount() > 0 && r.getItems(0).hasDominantInterest();
    String header = explained ? "%4s %12s %12s %8s%n" : "%4s %12s %12s%n";
    out.append(header.formatted("rank", "item_id", "score", "interest"));
    for (int i = 0; i < r.getItemsCount(); i++) {
      RankedItem item = r.getItems(i);
      String row = "%4d %12d %12.6f".formatted(i + 1, item.getItemId(), item.getScore());
      out.append(explained ? row + " %8d".formatted(item.getDominantInterest()) : row)
          .append(System.lineSeparator());
    }
    return out.toString();
  }

  static String json(RankResponse r) {
    StringBuilder out = new StringBuilder("{\"model\":{\"name\":");
    string(out, r.getModelName()).append(",\"version\":");
    string(out, r.getModelVersion()).append("},\"items\":[");
    for (int i = 0; i < r.getItemsCount(); i++) {
      RankedItem item = r.getItems(i);
      out.append(i == 0 ? "" : ",").append("{\"itemId\":").append(item.getItemId());
      out.append(",\"score\":").append(number(item.getScore()));
      if (item.hasDominantInterest()) {
        out.append(",\"dominantInterest\":").append(item.getDominantInterest());
      }
      out.append('}');
    }
    return out.append("],\"candidatesScored\":")
        .append(r.getCandidatesScored())
        .append(",\"candidatesUnknown\":")
        .append(r.getCandidatesUnknown())
        .append(",\"coldStart\":")
        .append(r.getColdStart())
        .append(",\"fallback\":")
        .append(r.getFallback())
        .append("}")
        .append(System.lineSeparator())
        .toString();
  }

  static String table(GetModelResponse m) {
    return """
        name           %s
        version        %s
        created_at     %s
        interests      %d
        dim            %d
        items          %d
        long_length    %d
        short_length   %d
        user_features  %s
        """
        .formatted(
            m.getName(),
            m.getVersion(),
            m.getCreatedAt(),
            m.getInterests(),
            m.getDim(),
            m.getItems(),
            m.getLongLength(),
            m.getShortLength(),
            String.join(", ", m.getUserFeaturesList()));
  }

  static String json(GetModelResponse m) {
    StringBuilder out = new StringBuilder("{\"name\":");
    string(out, m.getName()).append(",\"version\":");
    string(out, m.getVersion()).append(",\"createdAt\":");
    string(out, m.getCreatedAt());
    out.append(",\"interests\":").append(m.getInterests());
    out.append(",\"dim\":").append(m.getDim());
    out.append(",\"items\":").append(m.getItems());
    out.append(",\"longLength\":").append(m.getLongLength());
    out.append(",\"shortLength\":").append(m.getShortLength());
    out.append(",\"userFeatures\":[");
    for (int i = 0; i < m.getUserFeaturesCount(); i++) {
      string(out.append(i == 0 ? "" : ","), m.getUserFeatures(i));
    }
    return out.append("]}").append(System.lineSeparator()).toString();
  }

  private static String yesNo(boolean b) {
    return b ? "yes" : "no";
  }

  /** JSON has no NaN or infinity. */
  private static String number(float f) {
    return Float.isFinite(f) ? Float.toString(f) : "null";
  }

  /** Appends {@code s} as a JSON string. */
  static StringBuilder string(StringBuilder out, String s) {
    out.append('"');
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      switch (c) {
        case '"' -> out.append("\\\"");
        case '\\' -> out.append("\\\\");
        case '\n' -> out.append("\\n");
        case '\r' -> out.append("\\r");
        case '\t' -> out.append("\\t");
        default -> {
          if (c < 0x20) {
            out.append("\\u%04x".formatted((int) c));
          } else {
            out.append(c);
          }
        }
      }
    }
    return out.append('"');
  }
}
