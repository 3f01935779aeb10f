package dev.indelible.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.indelible.ledger.AppendResult;
import dev.indelible.ledger.ExpectedVersion;
import dev.indelible.ledger.Ledger;
import dev.indelible.ledger.LedgerConfig;
import dev.indelible.projections.proto.AccountRegistered;
import dev.indelible.projections.reference.DomainEvents;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The domain rules from the command line: `append` refuses what they forbid, `verify --projections` finds what broke them. */
class RulesCommandTest {
    static final String ALICE = "{\"account_id\": \"acct-1\", \"email\": \"alice@example.com\", \"display_name\": \"Alice\"}";
    static final String ALICE_AGAIN = "{\"account_id\": \"acct-2\", \"email\": \"alice@example.com\", \"display_name\": \"Alice\"}";

    @TempDir
    Path data;

    private Cli cli() {
        return new Cli(data);
    }

    @Test
    void shouldAppendAnAccountOnlyToItsAddressStreamAndOnlyOnce() {
        for (String wrong : List.of("email-bob@example.com", "acct-x")) {
            Cli.Result r = cli().run("append", "--stream", wrong, "--type", "account.registered", "--json", ALICE)
                .expect(Main.USAGE);
            assertTrue(r.err().contains("stream: rule account.registered: belongs to stream email-alice@example.com"
                + " (named by email), not " + wrong), r.err());
            assertEquals("", r.out(), "nothing acknowledged");
        }
        cli().assertJournal(0);

        Cli.Result appended = cli().run("append", "--stream", "email-alice@example.com", "--type", "account.registered",
            "--json", ALICE).expect(0);
        String stored = cli().stored("email-alice@example.com");
        assertTrue(stored.matches("email-[0-9a-f]{64}"), "the address is in no stream name: " + stored);
        assertEquals("appended account.registered to " + stored + " at global_seq 0, stream_version 0",
            appended.out().strip());

        Cli.Result second = cli().run("append", "--stream", "email-alice@example.com", "--type", "account.registered",
            "--json", ALICE_AGAIN).expect(Main.CONFLICT);
        assertTrue(second.err().contains("rule account.registered (an address has one account): stream"
            + " " + stored + ", named by email, must not exist; it is at version 0"), second.err());
        assertTrue(second.err().contains("nothing was appended"), second.err());
        cli().assertJournal(1);

        List<String> events = cli().run("read").expect(0).lines();
        assertEquals(1, events.size(), String.join("\n", events));
        assertTrue(events.get(0).contains("\"account_id\":\"acct-1\""), events.get(0));

        Cli.Result verify = cli().run("verify", "--projections").expect(0);
        assertTrue(verify.out().contains("rules: 1 events of types with a rule, none breaks it"), verify.out());
        assertFalse(verify.out().contains("FOUND"), verify.out());
    }

    @Test
    void shouldFindTwoAccountsForOneAddressInAJournalWrittenWithoutTheRules() throws Exception {
        LedgerConfig withoutRules = DomainEvents.register(LedgerConfig.builder()).withoutRules().build();
        try (Ledger ledger = Ledger.open(data, withoutRules)) {
            for (String account : List.of("acct-1", "acct-2")) {
                assertInstanceOf(AppendResult.Appended.class, ledger.append("email-alice@example.com", ExpectedVersion.ANY,
                    DomainEvents.event(DomainEvents.ACCOUNT_REGISTERED, AccountRegistered.newBuilder().setAccountId(account)
                        .setEmail("alice@example.com").setDisplayName("Alice").build())));
            }
            assertEquals(2, ledger.head());
        }

        Cli.Result r = cli().run("verify", "--projections", "--data", data.toString()).expect(Main.VERIFY_FAILED);
        List<String> found = r.lines().stream().filter(l -> l.startsWith("FOUND")).toList();
        assertEquals(1, found.size(), r.out());
        String line = found.get(0);
        assertTrue(line.startsWith("FOUND  rule broken at global_seq 1 (account.registered on "
            + cli().stored("email-alice@example.com") + ")"), line);
        assertTrue(line.contains("global_seq 0"), line);
        assertTrue(line.contains("an address has one account"), line);
        assertTrue(r.out().strip().endsWith("verify: 1 finding(s)"), r.out());

        Cli.Result json = cli().run("verify", "--projections", "--json").expect(Main.VERIFY_FAILED);
        JsonNode report = new ObjectMapper().readTree(json.out());
        assertFalse(report.get("ok").asBoolean(), json.out());
        assertEquals(2, report.get("events").asLong(), json.out());
        assertEquals(1, report.get("findings").size(), json.out());
        String finding = report.get("findings").get(0).asText();
        assertTrue(finding.startsWith("rule broken at global_seq 1 (account.registered"), finding);
        assertTrue(finding.contains("global_seq 0"), finding);
    }
}
