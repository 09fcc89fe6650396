package dev.hcn.api.grpc;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.springframework.boot.test.context.SpringBootTest;

/**
 * The gRPC server alone on a free port, with the scripted ranking service behind it. A test that
 * needs other server settings adds them with {@code @TestPropertySource}.
 */
@Target(ElementType.TYPE)
@Retention(RetentionPolicy.RUNTIME)
@SpringBootTest(
    classes = {ScriptedGrpcApp.class, ScriptedRankingService.class},
    webEnvironment = SpringBootTest.WebEnvironment.NONE,
    properties = {
      "spring.grpc.server.port=0",
      // application.yml names the real model's health indicator, which this app does not have.
      "management.endpoint.health.group.readiness.include=readinessState"
    })
@interface ScriptedGrpcTest {}
