package dev.hcn.events;

/**
 * One behaviour event as a producer sends it.
 *
 * @param userId whose history it extends
 * @param itemId external item id
 * @param timestamp epoch seconds; {@code null} means the time it arrives. Together with the item it
 *     is the event's identity, so a producer that replays must send it
 */
public record Event(String userId, Long itemId, Long timestamp) {}
