package dev.hcn.model;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Titles and features of the catalogue's items ({@code items_meta.json}, optional in a bundle), so
 * that people can read what an interest or a ranked item is. Items without an entry, and every item
 * of a bundle without the file, simply have no title.
 */
public final class ItemMetadata {

  /** The file's format tag. */
  public static final String FORMAT = "hcn-items-meta/1";

  /** No metadata at all. */
  public static final ItemMetadata NONE = new ItemMetadata(Map.of());

  /** One item's entry: a display title and raw features such as genres. */
  public record Item(String title, List<String> features) {
    public Item {
      features = features == null ? List.of() : List.copyOf(features);
    }
  }

  private final Map<Long, Item> items;

  private ItemMetadata(Map<Long, Item> items) {
    this.items = items;
  }

  /**
   * Validates the parsed file against the catalogue: the format tag, one title per entry and only
   * ids the catalogue has (a stale file from another export must not label the wrong items).
   *
   * @throws IllegalArgumentException naming the first offending entry
   */
  static ItemMetadata of(File file, ItemIdIndex index) {
    if (file == null || !FORMAT.equals(file.format())) {
      throw new IllegalArgumentException(
          "format is " + (file == null ? null : file.format()) + ", expected " + FORMAT);
    }
    Map<Long, Item> items = new HashMap<>();
    if (file.items() != null) {
      for (Map.Entry<String, Item> e : file.items().entrySet()) {
        long id;
        try {
          id = Long.parseLong(e.getKey());
        } catch (NumberFormatException bad) {
          throw new IllegalArgumentException("item key " + e.getKey() + " is not an integer id");
        }
        if (index.row(id) <= 0) {
          throw new IllegalArgumentException("item " + id + " is not in the catalogue");
        }
        if (e.getValue() == null || e.getValue().title() == null) {
          throw new IllegalArgumentException("item " + id + " has no title");
        }
        items.put(id, e.getValue());
      }
    }
    return new ItemMetadata(Map.copyOf(items));
  }

  /** The item's title, or {@code null} when it has none. */
  public String title(long itemId) {
    Item item = items.get(itemId);
    return item == null ? null : item.title();
  }

  /** The item's entry, or {@code null}. */
  public Item get(long itemId) {
    return items.get(itemId);
  }

  /** Number of items with an entry. */
  public int size() {
    return items.size();
  }

  /** The file as written by the exporter. */
  record File(String format, Map<String, Item> items) {}
}
