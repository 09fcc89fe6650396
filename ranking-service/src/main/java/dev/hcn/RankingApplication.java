package dev.hcn;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.context.properties.ConfigurationPropertiesScan;

/** Entry point of the HCN coarse-ranking service. */
@SpringBootApplication
@ConfigurationPropertiesScan
public class RankingApplication {

  public static void main(String[] args) {
    SpringApplication.run(RankingApplication.class, args);
  }
}
