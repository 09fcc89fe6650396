package dev.hcn.logging;

import ch.qos.logback.classic.spi.IThrowableProxy;
import ch.qos.logback.classic.spi.StackTraceElementProxy;
import org.springframework.boot.logging.logback.ExtendedWhitespaceThrowableProxyConverter;

/**
 * Spring Boot's default exception layout ({@code %wEx}: the stack trace with packaging data, set
 * off by line breaks) with every exception message in the chain {@link LogLines#contained}. An
 * exception's message often quotes input (a number that did not parse, a path that does not exist),
 * and frameworks log exceptions that the service never sees.
 */
public final class ContainedThrowableConverter extends ExtendedWhitespaceThrowableProxyConverter {

  @Override
  protected String throwableProxyToString(IThrowableProxy proxy) {
    return super.throwableProxyToString(Contained.of(proxy));
  }

  /**
   * The proxy, its causes and suppressed exceptions with contained messages; frames as they are.
   */
  private record Contained(IThrowableProxy proxy) implements IThrowableProxy {

    static IThrowableProxy of(IThrowableProxy proxy) {
      return proxy == null ? null : new Contained(proxy);
    }

    @Override
    public String getOverridingMessage() {
      return LogLines.contained(proxy.getOverridingMessage());
    }

    @Override
    public String getMessage() {
      return LogLines.contained(proxy.getMessage());
    }

    @Override
    public String getClassName() {
      return proxy.getClassName();
    }

    @Override
    public StackTraceElementProxy[] getStackTraceElementProxyArray() {
      return proxy.getStackTraceElementProxyArray();
    }

    @Override
    public int getCommonFrames() {
      return proxy.getCommonFrames();
    }

    @Override
    public IThrowableProxy getCause() {
      return of(proxy.getCause());
    }

    @Override
    public IThrowableProxy[] getSuppressed() {
      IThrowableProxy[] suppressed = proxy.getSuppressed();
      if (suppressed == null) {
        return null;
      }
      IThrowableProxy[] contained = new IThrowableProxy[suppressed.length];
      for (int i = 0; i < suppressed.length; i++) {
        contained[i] = of(suppressed[i]);
      }
      return contained;
    }

    @Override
    public boolean isCyclic() {
      return proxy.isCyclic();
    }
  }
}
