package io.syncline;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.Architectures.layeredArchitecture;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.Test;

/**
 * The packages follow the flow, bottom up, and no package reaches up: values; the systems (the
 * side interface and its JDBC implementation); mapping; conflict policies; pair settings; the
 * state store (ids, hashes and positions, no pipeline types); the pipeline's changes and windows; the engine (writers, reconciliation, readers);
 * the Camel-facing beans that pair files name; the ops API. The demo stands beside them and uses
 * the systems only.
 */
class LayersTest {

    private static final JavaClasses SYNCLINE = new ClassFileImporter().withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .importPackages("io.syncline");

    @Test
    void noPackageDependsOnALayerAboveIt() {
        layeredArchitecture().consideringOnlyDependenciesInLayers()
                .layer("values").definedBy("io.syncline.value..")
                .layer("systems").definedBy("io.syncline.system..")
                .layer("mapping").definedBy("io.syncline.mapping..")
                .layer("conflict policies").definedBy("io.syncline.conflict..")
                .layer("pair settings").definedBy("io.syncline.pair..")
                .layer("state store").definedBy("io.syncline.state..")
                .layer("changes").definedBy("io.syncline.change..")
                .layer("engine").definedBy("io.syncline.write..", "io.syncline.reconcile..", "io.syncline.read..")
                .layer("flow").definedBy("io.syncline.flow..")
                .layer("ops").definedBy("io.syncline.ops..")
                .layer("demo").definedBy("io.syncline.demo..")
                .whereLayer("demo").mayNotBeAccessedByAnyLayer()
                .whereLayer("ops").mayNotBeAccessedByAnyLayer()
                .whereLayer("flow").mayOnlyBeAccessedByLayers("ops")
                .whereLayer("engine").mayOnlyBeAccessedByLayers("flow", "ops")
                .whereLayer("changes").mayOnlyBeAccessedByLayers("engine", "flow", "ops")
                .whereLayer("state store").mayOnlyBeAccessedByLayers("changes", "engine", "flow", "ops")
                .whereLayer("pair settings").mayOnlyBeAccessedByLayers("changes", "state store", "engine", "flow", "ops")
                .whereLayer("conflict policies").mayOnlyBeAccessedByLayers("pair settings", "changes", "state store", "engine", "flow", "ops")
                .whereLayer("mapping").mayOnlyBeAccessedByLayers("conflict policies", "pair settings", "changes", "state store", "engine", "flow",
                        "ops")
                .whereLayer("systems").mayOnlyBeAccessedByLayers("mapping", "conflict policies", "pair settings", "changes", "state store",
                        "engine", "flow", "ops", "demo")
                .check(SYNCLINE);
    }

    @Test
    void onlyTheSystemsTheStateStoreAndTheDemoSpeakJdbc() {
        noClasses().that().resideOutsideOfPackages("io.syncline.system..", "io.syncline.state..", "io.syncline.demo..")
                .should().dependOnClassesThat().resideInAPackage("java.sql..")
                .because("the engine reaches a system only through its Entity, so that any kind of system plugs in").check(SYNCLINE);
    }

    @Test
    void thePackagesHaveNoCycles() {
        slices().matching("io.syncline.(*)..").should().beFreeOfCycles().check(SYNCLINE);
    }
}
