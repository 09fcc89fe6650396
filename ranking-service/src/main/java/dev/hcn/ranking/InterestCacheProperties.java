package dev.hcn.ranking;

import jakarta.validation.constraints.Min;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/**
 * The interest cache in front of the user tower.
 *
 * @param maxSize entries kept, 0 disables it; an entry is about 2 KB (n x D floats plus the encoded
 *     input), so 10,000 entries are about 20 MB
 */
@Validated
@ConfigurationProperties("hcn.interests.cache")
public record InterestCacheProperties(@DefaultValue("10000") @Min(0) long maxSize) {}
