package dev.hcn.api.rest;

import org.apache.catalina.core.StandardHost;
import org.apache.coyote.AbstractProtocol;
import org.springframework.boot.actuate.autoconfigure.web.ManagementContextConfiguration;
import org.springframework.boot.actuate.autoconfigure.web.ManagementContextType;
import org.springframework.boot.tomcat.servlet.TomcatServletWebServerFactory;
import org.springframework.boot.web.server.WebServerFactoryCustomizer;
import org.springframework.context.annotation.Bean;
import org.springframework.core.Ordered;

/**
 * The management port's Tomcat: problem details for its own errors, as on the API port, and
 * platform threads for probes and scrapes.
 *
 * <p>With virtual threads on, Tomcat would run management requests on virtual threads too, which
 * share a few carrier threads (one per core) with the ranking requests. Ranking is CPU-bound and
 * never yields its carrier, so under load a liveness probe waited behind it for seconds. Platform
 * threads are scheduled by the operating system beside the busy carriers, so probes answer whatever
 * the ranking load.
 */
@ManagementContextConfiguration(value = ManagementContextType.CHILD, proxyBeanMethods = false)
class ManagementServerConfig {

  /**
   * Probes, scrapes and the admin API, each short; a few threads serve them, and more would only
   * stand idle.
   */
  static final int MAX_THREADS = 8;

  @Bean
  ManagementTomcat hcnManagementTomcat(RefusedRequests refused) {
    return new ManagementTomcat(refused);
  }

  record ManagementTomcat(RefusedRequests refused)
      implements WebServerFactoryCustomizer<TomcatServletWebServerFactory>, Ordered {
    @Override
    public void customize(TomcatServletWebServerFactory factory) {
      factory.addProtocolHandlerCustomizers(
          handler -> {
            // No executor of its own: Tomcat creates its platform-thread pool when it starts.
            handler.setExecutor(null);
            if (handler instanceof AbstractProtocol<?> protocol) {
              protocol.setMaxThreads(MAX_THREADS);
              protocol.setMinSpareThreads(1);
            }
          });
      factory.addContextCustomizers(
          context -> {
            if (context.getParent() instanceof StandardHost host) {
              TomcatLimitsConfig.useProblemReports(
                  host, refused, RefusedRequests.Server.MANAGEMENT);
            }
          });
    }

    // After Spring Boot's customizers, which set the virtual-thread executor and the HTML valve.
    @Override
    public int getOrder() {
      return Ordered.LOWEST_PRECEDENCE;
    }
  }
}
