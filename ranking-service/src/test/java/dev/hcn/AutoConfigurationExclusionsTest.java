package dev.hcn;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.config.YamlPropertiesFactoryBean;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.context.annotation.ImportCandidates;
import org.springframework.core.io.ClassPathResource;

/**
 * The auto-configurations that application.yml leaves out are ones Spring Boot would otherwise
 * import. Spring Boot ignores an excluded name that is not on the class path, so a typo, or a class
 * renamed by an upgrade, would silently bring its beans (and their start-up cost) back.
 */
class AutoConfigurationExclusionsTest {

  private static List<String> excluded() {
    var yaml = new YamlPropertiesFactoryBean();
    yaml.setResources(new ClassPathResource("application.yml"));
    Properties properties = yaml.getObject();
    List<String> names = new ArrayList<>();
    for (int i = 0; properties.containsKey("spring.autoconfigure.exclude[" + i + "]"); i++) {
      names.add(properties.getProperty("spring.autoconfigure.exclude[" + i + "]"));
    }
    return names;
  }

  @Test
  void everyExcludedNameIsAnAutoConfigurationThatWouldBeImported() {
    List<String> names = excluded();
    assertThat(names).isNotEmpty().doesNotHaveDuplicates();
    List<String> candidates =
        ImportCandidates.load(AutoConfiguration.class, getClass().getClassLoader()).getCandidates();
    assertThat(candidates).as("Spring Boot's auto-configuration imports").containsAll(names);
  }
}
