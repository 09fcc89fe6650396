package dev.hcn.api.rest;

import jakarta.validation.constraints.NotNull;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.util.unit.DataSize;
import org.springframework.validation.annotation.Validated;

/**
 * REST adapter limits.
 *
 * @param maxBodySize largest request body; 8 MB fits 200,000 candidate ids as JSON
 */
@Validated
@ConfigurationProperties("hcn.api.rest")
public record RestProperties(@DefaultValue("8MB") @NotNull DataSize maxBodySize) {}
