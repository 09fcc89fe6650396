package dev.hcn;

import static com.tngtech.archunit.base.DescribedPredicate.not;
import static com.tngtech.archunit.core.domain.JavaClass.Predicates.resideInAPackage;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.Architectures.layeredArchitecture;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The package walls of the service, checked on its compiled main classes.
 *
 * <pre>
 *   api (rest, grpc, admin)
 *    |-> events      ingestion of user events: validates against ranking's limits, writes history
 *    |-> ranking     the ranking flow, model activation, errors and limits shared by both APIs
 *    |    |-> interests   per-interest inspection (its query and report are API types as well)
 *    |    |-> history     where behaviour histories come from (knows no model class)
 *    |    |-> model       bundle loading, the user tower, the registry of the serving bundle
 *    |              -> scoring   the kernels: plain Java, no Spring, nothing above it
 *   explorer        a static page and its view routes; nothing depends on it
 * </pre>
 *
 * History and model are siblings that never use each other: what history needs of the serving
 * bundle (L_long + L_short, the embedded histories) it declares as {@code ServingBundleView}, and
 * ranking supplies it from the model registry. A layer may use every layer below it that the rule
 * lists, never one above it.
 */
class ArchitectureTest {

  private static JavaClasses classes;

  @BeforeAll
  static void importMainClasses() {
    classes =
        new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_JARS)
            // Not the Spring AOT classes a previous package step generated (Foo__BeanDefinitions):
            // they wire every feature together by design.
            .withImportOption(location -> !location.contains("__"))
            .importPackages("dev.hcn");
  }

  @Test
  void layersOnlyUseTheLayersBelowThem() {
    layeredArchitecture()
        .consideringOnlyDependenciesInLayers()
        .layer("Api")
        .definedBy("dev.hcn.api..")
        .layer("Events")
        .definedBy("dev.hcn.events..")
        .layer("Ranking")
        .definedBy("dev.hcn.ranking..")
        .layer("Interests")
        .definedBy("dev.hcn.interests..")
        .layer("History")
        .definedBy("dev.hcn.history..")
        .layer("Model")
        .definedBy("dev.hcn.model..")
        .layer("Scoring")
        .definedBy("dev.hcn.scoring..")
        .layer("Explorer")
        .definedBy("dev.hcn.explorer..")
        .whereLayer("Api")
        .mayNotBeAccessedByAnyLayer()
        .whereLayer("Explorer")
        .mayNotBeAccessedByAnyLayer()
        .whereLayer("Events")
        .mayOnlyBeAccessedByLayers("Api")
        .whereLayer("Ranking")
        .mayOnlyBeAccessedByLayers("Api", "Events")
        .whereLayer("Interests")
        .mayOnlyBeAccessedByLayers("Api", "Ranking")
        .whereLayer("History")
        .mayOnlyBeAccessedByLayers("Ranking", "Events")
        .whereLayer("Model")
        .mayOnlyBeAccessedByLayers("Ranking", "Events", "Interests")
        .whereLayer("Scoring")
        .mayOnlyBeAccessedByLayers("Ranking", "Interests", "Model")
        .check(classes);
  }

  @Test
  void theApiReachesTheServiceOnlyThroughRankingEventsAndInterests() {
    noClasses()
        .that()
        .resideInAPackage("dev.hcn.api..")
        .should()
        .dependOnClassesThat()
        .resideInAnyPackage("dev.hcn.model..", "dev.hcn.history..", "dev.hcn.scoring..")
        .check(classes);
  }

  @Test
  void scoringIsPlainJava() {
    noClasses()
        .that()
        .resideInAPackage("dev.hcn.scoring..")
        .should()
        .dependOnClassesThat()
        .resideInAnyPackage("org.springframework..", "jakarta..", "ai.onnxruntime..")
        .check(classes);
    noClasses()
        .that()
        .resideInAPackage("dev.hcn.scoring..")
        .should()
        .dependOnClassesThat(
            resideInAPackage("dev.hcn..").and(not(resideInAPackage("dev.hcn.scoring.."))))
        .check(classes);
  }

  @Test
  void featurePackagesAreFreeOfCycles() {
    slices().matching("dev.hcn.(*)..").should().beFreeOfCycles().check(classes);
  }

  @Test
  void theApiAdaptersDoNotUseEachOther() {
    slices().matching("dev.hcn.api.(*)..").should().notDependOnEachOther().check(classes);
  }
}
