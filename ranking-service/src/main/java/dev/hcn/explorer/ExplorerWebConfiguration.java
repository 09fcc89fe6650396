package dev.hcn.explorer;

import org.springframework.context.annotation.Configuration;
import org.springframework.web.servlet.config.annotation.ViewControllerRegistry;
import org.springframework.web.servlet.config.annotation.WebMvcConfigurer;

/**
 * Serves the interest explorer, a static page in the jar ({@code static/explorer/}) that talks to
 * the REST API, at {@code /explorer}.
 */
@Configuration(proxyBeanMethods = false)
class ExplorerWebConfiguration implements WebMvcConfigurer {

  @Override
  public void addViewControllers(ViewControllerRegistry registry) {
    registry.addViewController("/explorer").setViewName("forward:/explorer/index.html");
    registry.addViewController("/explorer/").setViewName("forward:/explorer/index.html");
  }
}
