package dev.hcn.logging;

import ch.qos.logback.classic.pattern.MessageConverter;
import ch.qos.logback.classic.spi.ILoggingEvent;

/** {@code %m}, {@code %msg}, {@code %message}: the event's message, {@link LogLines#contained}. */
public final class ContainedMessageConverter extends MessageConverter {

  @Override
  public String convert(ILoggingEvent event) {
    return LogLines.contained(super.convert(event));
  }
}
