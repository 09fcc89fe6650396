package dev.hcn;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.springframework.boot.test.context.SpringBootTest;

/**
 * The whole service with the admin API on: a separate management port (as deployed) and an admin
 * token. Every admin test class uses exactly this configuration, so Spring starts it once.
 */
@Target(ElementType.TYPE)
@Retention(RetentionPolicy.RUNTIME)
@SpringBootTest(
    webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
    properties = {
      "hcn.model.bundle-path=${hcn.test.bundle:../model-artifacts/bundles/hcn-ml1m}",
      "management.server.port=0",
      "hcn.admin.token=" + AdminServiceTest.TOKEN,
      "spring.grpc.server.port=0",
      "hcn.drain.readiness-delay=0s",
      // Every request runs the tower, so swaps under load race real ONNX sessions, not cache hits.
      "hcn.interests.cache.max-size=0"
    })
public @interface AdminServiceTest {
  String TOKEN = "test-admin-token-0123456789";
}
