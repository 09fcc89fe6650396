package dev.hcn.api.rest;

import org.apache.catalina.Valve;
import org.apache.catalina.core.StandardHost;
import org.apache.catalina.valves.ErrorReportValve;
import org.springframework.boot.tomcat.servlet.TomcatServletWebServerFactory;
import org.springframework.boot.web.server.WebServerFactoryCustomizer;
import org.springframework.boot.web.servlet.FilterRegistrationBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.Ordered;
import org.springframework.web.filter.FormContentFilter;
import org.springframework.web.multipart.MultipartResolver;
import org.springframework.web.servlet.DispatcherServlet;

/**
 * Tomcat's own limits and answers, aligned with the REST adapter's: every error it produces is
 * problem details ({@link ProblemReportValve}), and form bodies, which Tomcat reads itself, are
 * capped at the same size as JSON bodies.
 */
@Configuration(proxyBeanMethods = false)
class TomcatLimitsConfig {

  @Bean
  TomcatLimits hcnTomcatLimits(RestProperties properties, RefusedRequests refused) {
    return new TomcatLimits(
        (int) Math.min(Integer.MAX_VALUE, properties.maxBodySize().toBytes()), refused);
  }

  record TomcatLimits(int maxPost, RefusedRequests refused)
      implements WebServerFactoryCustomizer<TomcatServletWebServerFactory>, Ordered {
    @Override
    public void customize(TomcatServletWebServerFactory factory) {
      factory.addConnectorCustomizers(connector -> connector.setMaxPostSize(maxPost));
      factory.addContextCustomizers(
          context -> {
            if (context.getParent() instanceof StandardHost host) {
              useProblemReports(host, refused, RefusedRequests.Server.API);
            }
          });
    }

    // After Spring Boot's own customizer, which adds a plain error report valve to the host.
    @Override
    public int getOrder() {
      return Ordered.LOWEST_PRECEDENCE;
    }
  }

  static void useProblemReports(
      StandardHost host, RefusedRequests refused, RefusedRequests.Server server) {
    for (Valve valve : host.getPipeline().getValves()) {
      if (valve instanceof ErrorReportValve) {
        host.getPipeline().removeValve(valve);
      }
    }
    // Named too, so that the host does not add its default HTML valve when it starts.
    host.setErrorReportValveClass(ProblemReportValve.class.getName());
    host.getPipeline().addValve(new ProblemReportValve(refused, server));
  }

  /**
   * Spring Boot's filter that parses form bodies of PUT, PATCH and DELETE requests stays
   * unregistered: the API takes no form bodies, and a broken one ({@code a=%zz}) would fail in the
   * filter, before any error mapping.
   */
  @Bean
  FilterRegistrationBean<FormContentFilter> noFormContentFilter(FormContentFilter filter) {
    FilterRegistrationBean<FormContentFilter> registration = new FilterRegistrationBean<>(filter);
    registration.setEnabled(false);
    return registration;
  }

  /**
   * No multipart parsing: the API takes JSON only, and a multipart body would otherwise be parsed
   * (and spooled to disk) by the dispatcher before any route, outside the body limit.
   */
  @Bean(DispatcherServlet.MULTIPART_RESOLVER_BEAN_NAME)
  MultipartResolver noMultipart() {
    return new MultipartResolver() {
      @Override
      public boolean isMultipart(jakarta.servlet.http.HttpServletRequest request) {
        return false;
      }

      @Override
      public org.springframework.web.multipart.MultipartHttpServletRequest resolveMultipart(
          jakarta.servlet.http.HttpServletRequest request) {
        throw new UnsupportedOperationException("multipart requests are not accepted");
      }

      @Override
      public void cleanupMultipart(
          org.springframework.web.multipart.MultipartHttpServletRequest request) {}
    };
  }
}
