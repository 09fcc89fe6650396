package dev.hcn.model;

import ai.onnxruntime.OrtEnvironment;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** The process-wide ONNX Runtime environment, the bundle loader and the bundle holder. */
@Configuration(proxyBeanMethods = false)
class ModelConfiguration {

  @Bean
  OrtEnvironment ortEnvironment() {
    // One environment per process; ONNX Runtime owns its lifetime, so it is never closed here.
    return OrtEnvironment.getEnvironment();
  }

  @Bean
  BundleLoader bundleLoader(OrtEnvironment env, ModelProperties properties) {
    return new BundleLoader(env, properties.session());
  }

  @Bean(destroyMethod = "close")
  ModelRegistry modelRegistry() {
    return new ModelRegistry();
  }
}
