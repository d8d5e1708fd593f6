package dev.signalbox.architecture;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;
import static org.assertj.core.api.Assertions.assertThat;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The walls of the code base, checked on the compiled classes of every module: packages depend on
 * one another one way only; modules only downwards (api; testing; core; server and eval; cli);
 * policies are pure.
 */
class ArchitectureTest {
  private static JavaClasses classes;

  @BeforeAll
  static void importClasses() {
    classes =
        new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .importPackages("dev.signalbox");
  }

  @Test
  void everyModuleIsImported() {
    for (String pkg :
        new String[] {
          "dev.signalbox.api",
          "dev.signalbox.testing",
          "dev.signalbox.core.gateway",
          "dev.signalbox.server",
          "dev.signalbox.eval",
          "dev.signalbox.tune",
          "dev.signalbox.cli"
        }) {
      assertThat(classes.containPackage(pkg)).as(pkg).isTrue();
    }
  }

  @Test
  void noCycleBetweenPackages() {
    slices().matching("dev.signalbox.(**)").should().beFreeOfCycles().check(classes);
  }

  @Test
  void theApiImportsNothingOfOurs() {
    noClasses()
        .that()
        .resideInAPackage("dev.signalbox.api..")
        .should()
        .dependOnClassesThat()
        .resideInAnyPackage(
            "dev.signalbox.core..",
            "dev.signalbox.server..",
            "dev.signalbox.eval..",
            "dev.signalbox.cli..",
            "dev.signalbox.testing..",
            "dev.signalbox.bench..")
        .check(classes);
  }

  /**
   * Tuning is a plug-in ({@code EncoderTuning}, found by ServiceLoader) and the only code that runs
   * PyTorch: what serves a tuned encoder needs ONNX Runtime alone.
   */
  @Test
  void onlyTheTuningModuleRunsPyTorchAndNothingImportsIt() {
    noClasses()
        .that()
        .resideOutsideOfPackage("dev.signalbox.tune..")
        .should()
        .dependOnClassesThat()
        .resideInAnyPackage(
            "dev.signalbox.tune..",
            "ai.djl.ndarray..",
            "ai.djl.engine..",
            "ai.djl.training..",
            "ai.djl.pytorch..")
        .check(classes);
  }

  @Test
  void theTestingModuleImportsOnlyTheApi() {
    noClasses()
        .that()
        .resideInAPackage("dev.signalbox.testing..")
        .should()
        .dependOnClassesThat()
        .resideInAnyPackage(
            "dev.signalbox.core..",
            "dev.signalbox.server..",
            "dev.signalbox.eval..",
            "dev.signalbox.cli..",
            "dev.signalbox.bench..")
        .check(classes);
  }

  @Test
  void coreNeverImportsTheServerTheEvaluatorOrTheCommandLine() {
    noClasses()
        .that()
        .resideInAPackage("dev.signalbox.core..")
        .should()
        .dependOnClassesThat()
        .resideInAnyPackage("dev.signalbox.server..", "dev.signalbox.eval..", "dev.signalbox.cli..")
        .check(classes);
  }

  @Test
  void theServerAndTheEvaluatorDoNotKnowEachOtherOrTheCommandLine() {
    noClasses()
        .that()
        .resideInAPackage("dev.signalbox.server..")
        .should()
        .dependOnClassesThat()
        .resideInAnyPackage("dev.signalbox.eval..", "dev.signalbox.cli..")
        .check(classes);
    noClasses()
        .that()
        .resideInAPackage("dev.signalbox.eval..")
        .should()
        .dependOnClassesThat()
        .resideInAnyPackage("dev.signalbox.server..", "dev.signalbox.cli..")
        .check(classes);
  }

  @Test
  void nothingImportsTheBenchmarks() {
    noClasses()
        .that()
        .resideOutsideOfPackage("dev.signalbox.bench..")
        .should()
        .dependOnClassesThat()
        .resideInAPackage("dev.signalbox.bench..")
        .allowEmptyShould(true)
        .check(classes);
  }

  /**
   * Policies are pure: no upstream, server, pool, dispatch or trace, no clock and no I/O. What they
   * need (artifacts, learners, embeddings) reaches them through the policy SPI's context.
   */
  @Test
  void policiesImportNoUpstreamServerClockOrIo() {
    noClasses()
        .that()
        .resideInAnyPackage("dev.signalbox.core.policies..", "dev.signalbox.core.cascade..")
        .should()
        .dependOnClassesThat()
        .resideInAnyPackage(
            "dev.signalbox.core.upstream..",
            "dev.signalbox.core.dispatch..",
            "dev.signalbox.core.pool..",
            "dev.signalbox.core.trace..",
            "dev.signalbox.core.gateway..",
            "dev.signalbox.server..",
            "java.io..",
            "java.nio.file..",
            "java.net..",
            "java.time..",
            "io.helidon..")
        .orShould()
        .callMethod(System.class, "currentTimeMillis")
        .orShould()
        .callMethod(System.class, "nanoTime")
        .check(classes);
  }
}
