package dev.indelible.cli;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.members;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.Architectures.layeredArchitecture;

import com.tngtech.archunit.base.DescribedPredicate;
import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.domain.JavaCodeUnit;
import com.tngtech.archunit.core.domain.JavaField;
import com.tngtech.archunit.core.domain.JavaMember;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.lang.ArchCondition;
import com.tngtech.archunit.lang.ConditionEvents;
import com.tngtech.archunit.lang.SimpleConditionEvent;
import dev.indelible.ledger.Ledger;
import dev.indelible.ledger.kafka.KafkaLedger;
import dev.indelible.projections.ProjectionEngine;
import dev.indelible.server.IndelibleServer;
import java.net.URL;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The design's layering, checked on the compiled main classes of every product module (this module
 * depends on them all), so a change that breaks it fails the build instead of waiting for a review:
 * modules depend one way, no module reaches into another's {@code internal} package, and no public
 * signature names a Chronicle, RocksDB or Kafka type.
 */
class LayeringTest {
    private static final String[] LEDGER = {"dev.indelible.ledger", "dev.indelible.ledger.spi..",
        "dev.indelible.ledger.internal..", "dev.indelible.ledger.proto.."};
    private static final String KAFKA = "dev.indelible.ledger.kafka..";
    private static final String PROJECTIONS = "dev.indelible.projections..";
    private static final String SERVER = "dev.indelible.server..";
    private static final String CLI = "dev.indelible.cli..";
    /** The packages other modules and users program against. */
    private static final String[] PUBLIC_API = {"dev.indelible.ledger", "dev.indelible.ledger.spi",
        "dev.indelible.ledger.kafka", "dev.indelible.projections", "dev.indelible.projections.reference",
        "dev.indelible.server"};
    private static final String[] STORAGE = {"net.openhft..", "org.rocksdb..", "org.apache.kafka.."};
    private static final List<String> SHARED_WITH_CLI = List.of("EventInput", "EventJson", "NdjsonAppends", "TokenAudit",
        "EphemeralStorage", "ProjectionCounts", "CountHistory", "ProjectionResults");

    private static JavaClasses classes;

    @BeforeAll
    static void importMainClasses() {
        // Each module's classes where the build put them: scanning the whole class path (Kafka's jars) takes 30 s.
        List<URL> modules = Stream.of(Ledger.class, KafkaLedger.class, ProjectionEngine.class, IndelibleServer.class,
            Main.class).map(c -> c.getProtectionDomain().getCodeSource().getLocation()).toList();
        classes = new ClassFileImporter().importUrls(modules);
    }

    @Test
    void shouldDependOneWayFromTheCommandLineDownToTheLedger() {
        layeredArchitecture().consideringOnlyDependenciesInLayers()
            .layer("ledger").definedBy(LEDGER)
            .layer("ledger-kafka").definedBy(KAFKA)
            .layer("projections").definedBy(PROJECTIONS)
            .layer("server").definedBy(SERVER)
            .layer("replay-cli").definedBy(CLI)
            .whereLayer("replay-cli").mayNotBeAccessedByAnyLayer()
            .whereLayer("server").mayOnlyBeAccessedByLayers("replay-cli")
            .whereLayer("projections").mayOnlyBeAccessedByLayers("server", "replay-cli")
            .whereLayer("ledger-kafka").mayOnlyBeAccessedByLayers("replay-cli")
            .whereLayer("ledger").mayOnlyBeAccessedByLayers("ledger-kafka", "projections", "server", "replay-cli")
            .check(classes);
    }

    @Test
    void shouldKeepEachModulesInternalsToItself() {
        internals("dev.indelible.ledger.internal..", LEDGER);
        internals("dev.indelible.ledger.kafka.internal..", KAFKA);
        internals("dev.indelible.projections.internal..", PROJECTIONS);
        noClasses().that().resideOutsideOfPackages(SERVER, CLI)
            .should().dependOnClassesThat().resideInAPackage("dev.indelible.server.internal..")
            .because("dev.indelible.server.internal.. is its module's own: other modules use the public API")
            .check(classes);
    }

    @Test
    void shouldKeepTheProjectionEngineFreeOfTheReferenceDomains() {
        // The reference projections use the engine as a user's projection does; the engine names none of them.
        noClasses().that().resideInAnyPackage("dev.indelible.projections", "dev.indelible.projections.internal..")
            .should().dependOnClassesThat().resideInAPackage("dev.indelible.projections.reference..")
            .check(classes);
    }

    @Test
    void shouldLetTheCommandLineUseOnlyTheInternalsItSharesWithTheServer() {
        // The CLI reads and writes events as the server does, changes tokens as the web console does (with their
        // audit event), gives status's warnings and counts as the console's overview does, and reports a replay as
        // /admin/projections does: the same classes, public for it alone.
        noClasses().that().resideInAPackage(CLI)
            .should().dependOnClassesThat(DescribedPredicate.describe("are server internals other than "
                + SHARED_WITH_CLI, c -> c.getPackageName().startsWith("dev.indelible.server.internal")
                && !SHARED_WITH_CLI.contains(c.getSimpleName()) && !SHARED_WITH_CLI.contains(outermost(c))))
            .check(classes);
    }

    private static String outermost(JavaClass type) {
        String simple = type.getName().substring(type.getPackageName().length() + 1);
        int nested = simple.indexOf('$');
        return nested < 0 ? simple : simple.substring(0, nested);
    }

    private static void internals(String internal, String... module) {
        noClasses().that().resideOutsideOfPackages(module)
            .should().dependOnClassesThat().resideInAPackage(internal)
            .because(internal + " is its module's own: other modules use the public API")
            .check(classes);
    }

    @Test
    void shouldNameNoStorageTypeInAPublicSignature() {
        members().that().arePublic()
            .and().areDeclaredInClassesThat().arePublic()
            .and().areDeclaredInClassesThat().resideInAnyPackage(PUBLIC_API)
            .should(exposeNo(STORAGE))
            .because("Chronicle, RocksDB and Kafka stay replaceable: they never appear in a public signature")
            .check(classes);
    }

    private static ArchCondition<JavaMember> exposeNo(String... packages) {
        return new ArchCondition<>("name no type of " + String.join(", ", packages)) {
            @Override
            public void check(JavaMember member, ConditionEvents events) {
                List<JavaClass> types = new ArrayList<>();
                if (member instanceof JavaField field) {
                    types.add(field.getRawType());
                } else if (member instanceof JavaCodeUnit code) {
                    types.addAll(code.getRawParameterTypes());
                    types.add(code.getRawReturnType());
                    types.addAll(code.getThrowsClause().getTypes());
                }
                for (JavaClass type : types) {
                    if (JavaClass.Predicates.resideInAnyPackage(packages).test(type.getBaseComponentType())) {
                        events.add(SimpleConditionEvent.violated(member,
                            member.getFullName() + " names " + type.getName()));
                    }
                }
            }
        };
    }
}
