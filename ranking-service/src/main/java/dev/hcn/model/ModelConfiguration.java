package dev.hcn.model;

import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** The bundle loader and the bundle holder. */
@Configuration(proxyBeanMethods = false)
class ModelConfiguration {

  @Bean
  BundleLoader bundleLoader(ModelProperties properties) {
    return new BundleLoader(properties.session());
  }

  @Bean(destroyMethod = "close")
  ModelRegistry modelRegistry() {
    return new ModelRegistry();
  }
}
