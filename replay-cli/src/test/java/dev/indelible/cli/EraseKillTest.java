package dev.indelible.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.indelible.ledger.internal.KillPoints;
import dev.indelible.ledger.testing.ChildJvm;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * {@code kill -9} during {@code indelible erase}: before its {@code ops.erase} event is whole, after
 * it (the key not yet destroyed), and after the key is destroyed. After the next open the subject is
 * either wholly there or wholly erased, and verify says which.
 */
@Tag("system")
class EraseKillTest {
    @TempDir
    Path tmp;

    @ParameterizedTest
    @CsvSource({KillPoints.AFTER_HEADER + ":1, false", KillPoints.ERASE_RECORDED + ":1, true",
        KillPoints.ERASE_KEY_DESTROYED + ":1, true"})
    void shouldLeaveTheSubjectWhollyThereOrWhollyErased(String killPoint, boolean erased) throws Exception {
        Path data = tmp.resolve("data");
        Cli cli = new Cli(data);
        cli.run("append", "--stream", "email-bob@example.com", "--type", "account.registered", "--expect", "new",
            "--json", "{\"account_id\": \"acc-2\", \"email\": \"bob@example.com\", \"display_name\": \"Bob\"}").expect(0);
        try (ChildJvm child = ChildJvm.startWith(List.of("-Dindelible.killPoint=" + killPoint), Main.class,
            tmp.resolve("child.err"), "erase", "--subject", "account-acc-2", "--data", data.toString())) {
            assertEquals(137, child.awaitExit(60), child.stderrText());
        }

        String query = cli.run("query", "accounts", "--id", "acc-2", "--json").expect(0).out(); // the next open
        assertTrue(query.contains(erased ? "\"email\":\"[erased]\",\"display_name\":\"[erased]\""
            : "\"email\":\"bob@example.com\",\"display_name\":\"Bob\""), query);
        String verify = cli.run("verify").expect(0).out();
        assertTrue(verify.contains(erased ? "1 subjects erased (account-acc-2)" : "0 subjects erased"), verify);
        String erasures = cli.run("read", "--stream", "ops-erasures").out();
        assertEquals(erased ? 1 : 0, erasures.lines().filter(l -> l.contains("\"type\":\"ops.erase\"")).count(), erasures);
        cli.run("erase", "--subject", "account-acc-2").expect(0);
        assertTrue(cli.run("verify").expect(0).out().contains("1 subjects erased (account-acc-2)"));
    }
}
