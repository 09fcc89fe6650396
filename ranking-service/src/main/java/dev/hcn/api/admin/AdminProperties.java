package dev.hcn.api.admin;

import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/**
 * The admin API on the management port.
 *
 * @param token bearer token the admin API demands, usually from {@code HCN_ADMIN_TOKEN}; none (or
 *     blank) turns the admin API off ({@link #enabled()}), so that a deployment never exposes it by
 *     accident
 * @param maxBodyBytes largest admin request body; 16 KiB holds any bundle path with room to spare
 */
@Validated
@ConfigurationProperties("hcn.admin")
public record AdminProperties(
    String token, @DefaultValue("16384") @Min(256) @Max(1048576) int maxBodyBytes) {

  /** Whether a token is configured: without one, no admin route matches (404). */
  public boolean enabled() {
    return token != null && !token.isBlank();
  }
}
