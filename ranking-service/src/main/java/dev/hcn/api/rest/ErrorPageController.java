package dev.hcn.api.rest;

import dev.hcn.ranking.ErrorType;
import dev.hcn.ranking.RankingException;
import io.swagger.v3.oas.annotations.Hidden;
import jakarta.servlet.RequestDispatcher;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import org.springframework.boot.webmvc.error.ErrorController;
import org.springframework.stereotype.Controller;
import org.springframework.web.bind.annotation.RequestMapping;

/**
 * The error page, in place of Spring Boot's: an error that Tomcat forwards here (a failure outside
 * Spring MVC's handlers, such as a broken chunked body or a refused TRACE) is answered as problem
 * details with our types instead of Boot's JSON or whitelabel page. Asked for directly, it is a
 * route that does not exist.
 */
@Controller
@Hidden
class ErrorPageController implements ErrorController {

  @RequestMapping("${server.error.path:${error.path:/error}}")
  void error(HttpServletRequest request, HttpServletResponse response) throws IOException {
    Object code = request.getAttribute(RequestDispatcher.ERROR_STATUS_CODE);
    Object uri = request.getAttribute(RequestDispatcher.ERROR_REQUEST_URI);
    if (!(code instanceof Integer status)) {
      ProblemResponses.write(
          response, 404, ErrorType.NOT_FOUND, ProblemResponses.detailOf(404), null);
      return;
    }
    String instance = uri instanceof String s ? s : null;
    for (Throwable t = (Throwable) request.getAttribute(RequestDispatcher.ERROR_EXCEPTION);
        t != null;
        t = t.getCause()) {
      if (t instanceof BodySizeLimitFilter.BodyTooLargeException e) {
        ProblemResponses.write(
            response, 413, ErrorType.PAYLOAD_TOO_LARGE, e.getMessage(), instance);
        return;
      }
      if (t instanceof RankingException e) {
        ProblemResponses.write(
            response,
            ProblemDetailsAdvice.statusOf(e.type()).value(),
            e.type(),
            e.getMessage(),
            instance);
        return;
      }
    }
    ErrorType type = status >= 500 ? null : ProblemResponses.typeOf(status);
    ProblemResponses.write(response, status, type, ProblemResponses.detailOf(status), instance);
  }
}
