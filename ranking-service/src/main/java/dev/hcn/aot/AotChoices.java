package dev.hcn.aot;

import java.io.IOException;
import java.io.InputStream;
import java.io.StringReader;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Properties;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.springframework.aot.AotDetector;
import org.springframework.boot.actuate.autoconfigure.web.server.ManagementPortType;
import org.springframework.boot.context.properties.bind.Bindable;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.source.ConfigurationPropertyName;
import org.springframework.boot.context.properties.source.ConfigurationPropertyName.Form;
import org.springframework.boot.context.properties.source.ConfigurationPropertySource;
import org.springframework.boot.context.properties.source.ConfigurationPropertySources;
import org.springframework.boot.context.properties.source.IterableConfigurationPropertySource;
import org.springframework.core.env.ConfigurableEnvironment;

/**
 * The configuration that decides which beans exist, as one comparable value: what a Spring AOT
 * build saw when it fixed the bean definitions, or what a start sees now.
 *
 * <p>A Spring AOT build evaluates every bean condition once, when the jar is built. A property that
 * switches a condition at start (the history source, an endpoint, a health indicator, virtual
 * threads) would then be ignored without a word. This class names those properties, so that {@link
 * AotGuard} can start without the AOT-processed context when one of them differs.
 *
 * <p>The choices are:
 *
 * <ul>
 *   <li>{@code hcn.history.source}, the one bean condition of the service's own ({@code
 *       AotChoicesTest} fails when another appears); no other {@code hcn.*} property;
 *   <li>every other property named {@code ….enabled} (Spring Boot's and springdoc's switches,
 *       {@code spring.threads.virtual.enabled}, the health indicators, the gRPC server's features),
 *       except {@code spring.aot.enabled}, which selects the AOT context itself;
 *   <li>every property under {@link #CHOICE_PREFIXES}: auto-configuration excludes, the web
 *       application type, endpoint exposure and access;
 *   <li>whether the management port is the API port, another port or off ({@link
 *       ManagementPortType}): the port numbers themselves are free to change.
 * </ul>
 *
 * Values that no condition reads (ports, hosts, timeouts, the bundle path, the admin token) are not
 * choices: one build serves any of them. Conditions on the class path need no entry, since the
 * class path is the build's.
 *
 * @param values canonical property name to its value, sorted; a missing name is unset
 */
record AotChoices(SortedMap<String, String> values) {

  /** Where a Spring AOT build leaves the choices it was built with, inside the jar. */
  static final String RESOURCE = "META-INF/hcn/aot-choices.properties";

  /** The last element of a switch's name. */
  private static final String SWITCH = "enabled";

  private static final ConfigurationPropertyName SERVICE = ConfigurationPropertyName.of("hcn");

  /** The service's own bean conditions: {@code history.HistoryConfiguration}. */
  static final ConfigurationPropertyName HISTORY_SOURCE =
      ConfigurationPropertyName.of("hcn.history.source");

  private static final ConfigurationPropertyName AOT_FLAG =
      ConfigurationPropertyName.of(AotDetector.AOT_ENABLED);

  static final List<ConfigurationPropertyName> CHOICE_PREFIXES =
      Stream.of(
              "spring.autoconfigure.exclude",
              "spring.main.web-application-type",
              "management.endpoints.web.exposure",
              "management.endpoints.access")
          .map(ConfigurationPropertyName::of)
          .toList();

  /** Not a property: the management port's {@link ManagementPortType}. */
  static final String MANAGEMENT_PORT_TYPE = "management.server.port(type)";

  AotChoices {
    values = new TreeMap<>(values);
  }

  /** The choices in an environment, with placeholders resolved as binding would resolve them. */
  static AotChoices of(ConfigurableEnvironment environment) {
    Binder binder = Binder.get(environment);
    TreeSet<ConfigurationPropertyName> names = new TreeSet<>();
    for (ConfigurationPropertySource source : ConfigurationPropertySources.get(environment)) {
      if (source instanceof IterableConfigurationPropertySource iterable) {
        iterable.stream()
            .map(AotChoices::withoutIndex)
            .filter(AotChoices::isChoice)
            .forEach(names::add);
      }
    }
    // As lists, so that "a,b" in one source and [0]=a, [1]=b in another compare equal.
    TreeMap<String, String> values = new TreeMap<>();
    for (ConfigurationPropertyName name : names) {
      binder
          .bind(name, Bindable.listOf(String.class))
          .ifBound(list -> values.put(name.toString(), String.join(",", list)));
    }
    values.put(MANAGEMENT_PORT_TYPE, ManagementPortType.get(environment).name());
    return new AotChoices(values);
  }

  /** {@code a.b[0]} is an element of the list {@code a.b}. */
  private static ConfigurationPropertyName withoutIndex(ConfigurationPropertyName name) {
    while (!name.isEmpty() && name.isLastElementIndexed()) {
      name = name.getParent();
    }
    return name;
  }

  static boolean isChoice(ConfigurationPropertyName name) {
    if (SERVICE.isAncestorOf(name)) {
      return HISTORY_SOURCE.equals(name);
    }
    if (AOT_FLAG.equals(name)) {
      return false;
    }
    if (!name.isEmpty() && name.getLastElement(Form.UNIFORM).equals(SWITCH)) {
      return true;
    }
    return CHOICE_PREFIXES.stream().anyMatch(p -> p.equals(name) || p.isAncestorOf(name));
  }

  /**
   * The recorded choices of the jar this class was loaded from, if it was built with Spring AOT.
   */
  static Optional<AotChoices> recorded(ClassLoader loader) {
    try (InputStream in = loader.getResourceAsStream(RESOURCE)) {
      if (in == null) {
        return Optional.empty();
      }
      Properties properties = new Properties();
      properties.load(in);
      return Optional.of(fromProperties(properties));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + RESOURCE, e);
    }
  }

  static AotChoices parse(String text) {
    Properties properties = new Properties();
    try {
      properties.load(new StringReader(text));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return fromProperties(properties);
  }

  private static AotChoices fromProperties(Properties properties) {
    return new AotChoices(
        properties.stringPropertyNames().stream()
            .collect(Collectors.toMap(k -> k, properties::getProperty, (a, b) -> a, TreeMap::new)));
  }

  /** The choices as a properties file, sorted, without the date line, so a rebuild is identical. */
  String toText() {
    StringBuilder text = new StringBuilder();
    for (Map.Entry<String, String> e : values.entrySet()) {
      Properties one = new Properties();
      one.setProperty(e.getKey(), e.getValue());
      StringWriter line = new StringWriter();
      try {
        one.store(line, null);
      } catch (IOException impossible) {
        throw new UncheckedIOException(impossible);
      }
      line.toString()
          .lines()
          .filter(l -> !l.startsWith("#"))
          .forEach(l -> text.append(l).append('\n'));
    }
    return text.toString();
  }

  /**
   * The first choice, in name order, on which {@code now} differs from these (built) choices, in
   * words; empty when they agree.
   */
  Optional<String> differenceFrom(AotChoices now) {
    TreeSet<String> names = new TreeSet<>(values.keySet());
    names.addAll(now.values.keySet());
    for (String name : names) {
      String built = values.get(name);
      String current = now.values.get(name);
      if (!Objects.equals(built, current)) {
        return Optional.of(
            name + " is " + describe(current) + " but the build was made with " + describe(built));
      }
    }
    return Optional.empty();
  }

  private static String describe(String value) {
    return value == null ? "unset" : "'" + value + "'";
  }
}
