package dev.ami.arch;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.core.domain.JavaCall;
import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.domain.properties.HasName;
import com.tngtech.archunit.core.domain.properties.HasOwner;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import dev.ami.config.AmiConfig;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** The floors of the house, read from the compiled main classes: no package cycles, no arrow pointing up. */
class PackageStructureTest {
  private static JavaClasses main;

  @BeforeAll
  static void importMain() {
    main = new ClassFileImporter().withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
        .importPackages("dev.ami");
  }

  @Test
  @DisplayName("no two packages depend on each other, directly or through others")
  void noCycles() {
    slices().matching("dev.ami.(*)..").should().beFreeOfCycles().check(main);
  }

  @Test
  @DisplayName("env holds the interfaces only: it knows no capture, OSC or world")
  void envIsInterfaces() {
    noClasses().that().resideInAPackage("dev.ami.env..")
        .should().dependOnClassesThat().resideInAnyPackage("dev.ami.capture..", "dev.ami.osc..", "dev.ami.world..")
        .check(main);
  }

  @Test
  @DisplayName("the bus knows messages and their wire, not snapshots: their encoding lives in params")
  void busBelowParams() {
    noClasses().that().resideInAPackage("dev.ami.bus..")
        .should().dependOnClassesThat().resideInAPackage("dev.ami.params..").check(main);
  }

  @Test
  @DisplayName("app is the launcher: nothing below it imports it, and no benchmark lives in it")
  void appOnTop() {
    noClasses().that().resideOutsideOfPackage("dev.ami.app..")
        .should().dependOnClassesThat().resideInAPackage("dev.ami.app..").check(main);
    classes().that().haveSimpleNameStartingWith("Bench").or().haveSimpleNameStartingWith("Soak")
        .or().haveSimpleNameStartingWith("ClusterBench").should().resideInAPackage("dev.ami.bench..").check(main);
  }

  @Test
  @DisplayName("config is read through options records: no class outside config calls an AmiConfig getter")
  void configThroughOptions() {
    noClasses().that().resideOutsideOfPackage("dev.ami.config..")
        .should().callMethodWhere(JavaCall.Predicates.target(HasOwner.Predicates.With.owner(
            JavaClass.Predicates.equivalentTo(AmiConfig.class))).and(JavaCall.Predicates.target(
            HasName.Predicates.nameStartingWith("get"))))
        .check(main);
  }

  @Test
  @DisplayName("the ground floor (config, bus, params, system) depends on no package above it")
  void groundFloor() {
    noClasses().that().resideInAnyPackage("dev.ami.config..", "dev.ami.bus..", "dev.ami.params..",
            "dev.ami.system..")
        .should().dependOnClassesThat().resideInAnyPackage("dev.ami.app..", "dev.ami.bench..", "dev.ami.runtime..",
            "dev.ami.redeploy..", "dev.ami.agent..", "dev.ami.training..", "dev.ami.console..", "dev.ami.checkpoint..",
            "dev.ami.cluster..", "dev.ami.world..", "dev.ami.kind..", "dev.ami.handover..")
        .check(main);
  }
}
