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
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UnsupportedEncodingException;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.stereotype.Component;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * Caps the body of every request before any work is done for it: a declared Content-Length over the
 * limit is answered 413 at once, before routing, and a chunked body (no length) fails as soon as it
 * streams past the limit, which surfaces inside request handling so the one error mapping answers
 * it. Both the byte stream and the character reader are counted.
 *
 * <p>Every request is wrapped, whatever its path: a filter that matched on the path could be
 * sidestepped by another spelling of it ({@code //v1/rank}, {@code /v1;x=1/rank}, {@code
 * /v1/%72ank}) that the router still resolves. It runs first, so no later filter reads a body
 * unbounded.
 */
@Component
@Order(Ordered.HIGHEST_PRECEDENCE)
class BodySizeLimitFilter extends OncePerRequestFilter {

  private final long maxBytes;
  private final RefusedRequests refused;

  BodySizeLimitFilter(RestProperties properties, RefusedRequests refused) {
    this.maxBytes = properties.maxBodySize().toBytes();
    this.refused = refused;
  }

  @Override
  protected void doFilterInternal(
      HttpServletRequest request, HttpServletResponse response, FilterChain chain)
      throws ServletException, IOException {
    if (request.getContentLengthLong() > maxBytes) {
      refused.answer(
          RefusedRequests.Server.API,
          response,
          HttpServletResponse.SC_REQUEST_ENTITY_TOO_LARGE,
          ErrorType.PAYLOAD_TOO_LARGE,
          "the request body is larger than " + maxBytes + " bytes",
          request.getRequestURI());
      return;
    }
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
    private BufferedReader reader;

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

    @Override
    public BufferedReader getReader() throws IOException {
      if (reader == null) {
        String encoding = getCharacterEncoding();
        Charset charset;
        try {
          charset = encoding == null ? StandardCharsets.UTF_8 : Charset.forName(encoding);
        } catch (IllegalArgumentException e) {
          throw new UnsupportedEncodingException(encoding);
        }
        reader = new BufferedReader(new InputStreamReader(getInputStream(), charset));
      }
      return reader;
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
