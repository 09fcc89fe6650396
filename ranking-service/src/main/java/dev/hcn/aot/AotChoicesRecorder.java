package dev.hcn.aot;

import org.springframework.beans.factory.aot.BeanFactoryInitializationAotContribution;
import org.springframework.beans.factory.aot.BeanFactoryInitializationAotProcessor;
import org.springframework.beans.factory.config.ConfigurableListableBeanFactory;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.core.env.ConfigurableEnvironment;

/**
 * At Spring AOT processing (the build's {@code process-aot}), writes the {@link AotChoices} the
 * bean definitions were fixed with into the jar, for {@link AotGuard} to compare at start.
 * Registered in {@code META-INF/spring/aot.factories}.
 */
final class AotChoicesRecorder implements BeanFactoryInitializationAotProcessor {

  @Override
  public BeanFactoryInitializationAotContribution processAheadOfTime(
      ConfigurableListableBeanFactory beanFactory) {
    // The management child context is processed too, with the same environment: record once.
    if (beanFactory.getParentBeanFactory() != null) {
      return null;
    }
    String choices =
        AotChoices.of(
                beanFactory.getBean(
                    ConfigurableApplicationContext.ENVIRONMENT_BEAN_NAME,
                    ConfigurableEnvironment.class))
            .toText();
    return (generation, code) ->
        generation.getGeneratedFiles().addResourceFile(AotChoices.RESOURCE, choices);
  }
}
