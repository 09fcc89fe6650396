package dev.hcn.api.rest;

import dev.hcn.ranking.ErrorType;
import dev.hcn.ranking.RankingException;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ReadListener;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletInputStream;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletRequestWrapper;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import org.springframework.stereotype.Component;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * Caps the body of API requests before JSON parsing: a declared Content-Length over the limit is
 * refused when the body is first opened, and a chunked body fails as soon as it streams past the
 * limit. Both surface as exceptions inside request handling, so the one error mapping answers them.
 */
@Component
class BodySizeLimitFilter extends OncePerRequestFilter {

  private final long maxBytes;

  BodySizeLimitFilter(RestProperties properties) {
    this.maxBytes = properties.maxBodySize().toBytes();
  }

  @Override
  protected boolean shouldNotFilter(HttpServletRequest request) {
    return !request.getRequestURI().startsWith("/v1/");
  }

  @Override
  protected void doFilterInternal(
      HttpServletRequest request, HttpServletResponse response, FilterChain chain)
      throws ServletException, IOException {
    chain.doFilter(new Bounded(request, maxBytes), response);
  }

  /** Thrown from the body stream when it grows past the limit. */
  static final class BodyTooLargeException extends IOException {
    BodyTooLargeException(long max) {
      super("the request body is larger than " + max + " bytes");
    }
  }

  static RankingException tooLarge(long max) {
    return new RankingException(
        ErrorType.PAYLOAD_TOO_LARGE, "body", "the request body is larger than " + max + " bytes");
  }

  private static final class Bounded extends HttpServletRequestWrapper {
    private final long max;
    private ServletInputStream stream;

    Bounded(HttpServletRequest request, long max) {
      super(request);
      this.max = max;
    }

    @Override
    public ServletInputStream getInputStream() throws IOException {
      if (getContentLengthLong() > max) {
        throw tooLarge(max);
      }
      if (stream == null) {
        stream = new Counting(super.getInputStream(), max);
      }
      return stream;
    }
  }

  private static final class Counting extends ServletInputStream {
    private final ServletInputStream in;
    private final long max;
    private long count;

    Counting(ServletInputStream in, long max) {
      this.in = in;
      this.max = max;
    }

    @Override
    public int read() throws IOException {
      int b = in.read();
      if (b >= 0) {
        add(1);
      }
      return b;
    }

    @Override
    public int read(byte[] buf, int off, int len) throws IOException {
      int r = in.read(buf, off, len);
      if (r > 0) {
        add(r);
      }
      return r;
    }

    private void add(int n) throws IOException {
      count += n;
      if (count > max) {
        throw new BodyTooLargeException(max);
      }
    }

    @Override
    public boolean isFinished() {
      return in.isFinished();
    }

    @Override
    public boolean isReady() {
      return in.isReady();
    }

    @Override
    public void setReadListener(ReadListener listener) {
      in.setReadListener(listener);
    }
  }
}
