package dev.hcn;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.actuate.autoconfigure.web.ManagementContextConfiguration;
import org.springframework.boot.autoconfigure.AutoConfigurationExcludeFilter;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.context.TypeExcludeFilter;
import org.springframework.boot.context.properties.ConfigurationPropertiesScan;
import org.springframework.context.annotation.ComponentScan;
import org.springframework.context.annotation.FilterType;

/**
 * Entry point of the HCN coarse-ranking service. {@code @SpringBootApplication} spelled out so that
 * component scanning also skips {@link ManagementContextConfiguration} classes: those belong to the
 * context that serves the management port, which Spring Boot builds from their imports file.
 */
@SpringBootConfiguration
@EnableAutoConfiguration
@ComponentScan(
    excludeFilters = {
      @ComponentScan.Filter(type = FilterType.CUSTOM, classes = TypeExcludeFilter.class),
      @ComponentScan.Filter(
          type = FilterType.CUSTOM,
          classes = AutoConfigurationExcludeFilter.class),
      @ComponentScan.Filter(
          type = FilterType.ANNOTATION,
          classes = ManagementContextConfiguration.class)
    })
@ConfigurationPropertiesScan
public class RankingApplication {

  public static void main(String[] args) {
    SpringApplication.run(RankingApplication.class, args);
  }
}
