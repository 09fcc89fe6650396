package dev.hcn;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.springframework.boot.test.context.SpringBootTest;

/**
 * The whole service on a random port with the test bundle and real ONNX Runtime. Every test class
 * uses exactly this configuration, so Spring starts the application once for all of them.
 */
@Target(ElementType.TYPE)
@Retention(RetentionPolicy.RUNTIME)
@SpringBootTest(
    webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
    properties = {
      "hcn.model.bundle-path=${hcn.test.bundle:../model-artifacts/bundles/hcn-ml1m}",
      "hcn.api.rest.max-body-size=256KB",
      "hcn.ranking.max-candidates=20000",
      "spring.grpc.server.port=0",
      "hcn.drain.readiness-delay=0s"
    })
public @interface ServiceTest {}
