package dev.hcn.api.admin;

import org.springframework.boot.actuate.autoconfigure.web.ManagementContextConfiguration;
import org.springframework.boot.actuate.autoconfigure.web.ManagementContextType;
import org.springframework.context.annotation.Bean;
import org.springframework.web.servlet.function.RouterFunction;
import org.springframework.web.servlet.function.ServerResponse;
import org.springframework.web.servlet.function.support.HandlerFunctionAdapter;
import org.springframework.web.servlet.function.support.RouterFunctionMapping;

/**
 * On a separate management port, the child context's dispatcher only consults the handler mappings
 * and adapters defined in that context (Boot's composite ones), and Spring MVC's
 * auto-configuration, which maps router functions in the main context, does not run there: so the
 * admin routes bring their own mapping and adapter. Defined whether or not the admin API is on: the
 * routes themselves match only with a token configured ({@link AdminRoutesConfiguration}).
 */
@ManagementContextConfiguration(value = ManagementContextType.CHILD, proxyBeanMethods = false)
class AdminChildContextConfiguration {

  @Bean
  RouterFunctionMapping adminRouterFunctionMapping(RouterFunction<ServerResponse> adminRoutes) {
    RouterFunctionMapping mapping = new RouterFunctionMapping(adminRoutes);
    mapping.setOrder(-1);
    return mapping;
  }

  @Bean
  HandlerFunctionAdapter adminHandlerFunctionAdapter() {
    return new HandlerFunctionAdapter();
  }
}
