package dev.hcn.api.rest;

import dev.hcn.ranking.ErrorType;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.http.server.RequestPath;
import org.springframework.stereotype.Component;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * Answers 400 for a path that Tomcat lets through but Spring MVC cannot parse, such as a matrix
 * parameter with a broken escape ({@code /v1;x=%1/rank}): Spring parses the path before any handler
 * or error mapping runs, so its failure would otherwise surface as a 500.
 */
@Component
@Order(Ordered.HIGHEST_PRECEDENCE + 1)
class MalformedPathFilter extends OncePerRequestFilter {

  private final RefusedRequests refused;

  MalformedPathFilter(RefusedRequests refused) {
    this.refused = refused;
  }

  @Override
  protected void doFilterInternal(
      HttpServletRequest request, HttpServletResponse response, FilterChain chain)
      throws ServletException, IOException {
    try {
      RequestPath.parse(request.getRequestURI(), request.getContextPath());
    } catch (IllegalArgumentException e) {
      refused.answer(
          RefusedRequests.Server.API,
          response,
          HttpServletResponse.SC_BAD_REQUEST,
          ErrorType.INVALID_REQUEST,
          "the path is not validly percent-encoded",
          null);
      return;
    }
    chain.doFilter(request, response);
  }
}
