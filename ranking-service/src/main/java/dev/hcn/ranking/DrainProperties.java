package dev.hcn.ranking;

import jakarta.validation.constraints.NotNull;
import java.time.Duration;
import org.hibernate.validator.constraints.time.DurationMax;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/**
 * How the service leaves on SIGTERM.
 *
 * @param readinessDelay how long readiness reports DOWN while the service still serves, before the
 *     listeners close: 5 s is one readiness-probe period of the Kubernetes manifest, so a balancer
 *     that only watches readiness has stopped sending by then (Kubernetes itself also waits out the
 *     preStop pause first)
 */
@Validated
@ConfigurationProperties("hcn.drain")
public record DrainProperties(
    @DefaultValue("5s") @NotNull @DurationMax(minutes = 5) Duration readinessDelay) {}
