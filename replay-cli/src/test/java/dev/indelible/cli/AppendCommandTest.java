package dev.indelible.cli;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class AppendCommandTest {
    private static final String ID_1 = "0b6c5f4e-1b1f-4c8e-9a55-3c7f1d2e9a01";
    private static final String ID_2 = "0b6c5f4e-1b1f-4c8e-9a55-3c7f1d2e9a02";

    static final String SELFIE = "{\"user_id\": 7, \"media_type\": \"photo\", \"file_id\": \"f1\", \"submitted_at\": \"2026-11-25T01:00:00Z\"}";

    @TempDir
    Path data;

    private Cli cli() {
        return new Cli(data);
    }

    @Test
    void shouldAppendOneValidatedEventAndPrintItsPosition() {
        Cli.Result r = cli().run("append", "--stream", "selfies-user-7", "--type", "selfie.submitted", "--json", SELFIE).expect(0);
        assertEquals("appended selfie.submitted to selfies-user-7 at global_seq 0, stream_version 0", r.out().strip());
        cli().assertJournal(1);
    }

    @Test
    void shouldRefuseAMissingFieldNamingItAndWriteNothing() {
        cli().run("append", "--stream", "s", "--type", "custom", "--json", "{}").expect(0);
        Cli.Result r = cli().run("append", "--stream", "selfies-user-7", "--type", "selfie.submitted",
            "--json", "{\"user_id\": 7, \"media_type\": \"photo\", \"submitted_at\": \"2026-11-25T01:00:00Z\"}").expect(Main.USAGE);
        assertTrue(r.err().contains("data.file_id: is required"), r.err());
        cli().assertJournal(1);
    }

    @Test
    void shouldRefuseMalformedJsonAndABadExpectation() {
        cli().run("append", "--stream", "s", "--type", "custom", "--json", "{\"a\": ").expect(Main.USAGE);
        Cli.Result badExpect = cli().run("append", "--stream", "s", "--type", "custom", "--json", "{}", "--expect", "soon")
            .expect(Main.USAGE);
        assertTrue(badExpect.err().contains("expect"), badExpect.err());
        cli().run("append", "--stream", "s", "--type", "custom", "--json", "{}", "--event-id", "xyz").expect(Main.USAGE);
        cli().run("append", "--type", "custom", "--json", "{}").expect(Main.USAGE);
        cli().assertJournal(0);
    }

    @Test
    void shouldAnswerAWrongExpectedVersionWithExitThree() {
        cli().run("append", "--stream", "email-a@b.c", "--type", "custom", "--json", "{}", "--expect", "new").expect(0);
        Cli.Result r = cli().run("append", "--stream", "email-a@b.c", "--type", "custom", "--json", "{}", "--expect", "new")
            .expect(Main.CONFLICT);
        assertTrue(r.err().contains("the stream is at 0"), r.err());
        cli().assertJournal(1);
    }

    @Test
    void shouldAnswerARetryWithTheOriginalPosition() {
        String id = "0f0e0d0c0b0a09080706050403020100";
        cli().run("append", "--stream", "s", "--type", "custom", "--json", "{\"a\":1}", "--event-id", id).expect(0);
        Cli.Result again = cli().run("append", "--stream", "s", "--type", "custom", "--json", "{\"a\":1}", "--event-id", id)
            .expect(0);
        assertTrue(again.out().startsWith("already appended (a retry)"), again.out());
        cli().assertJournal(1);
    }

    @Test
    void shouldAppendNdjsonAndStopAtABadLineNamingIt() throws Exception {
        Path file = data.resolveSibling(data.getFileName() + "-input.ndjson");
        Files.write(file, List.of(line("selfies-user-7", SELFIE), line("s", "{\"k\": 1}"),
            line("selfies-user-7", "{\"user_id\": \"seven\"}"), line("s", "{\"k\": 2}")));
        Cli.Result r = cli().run("append", "--ndjson", file.toString(), "--json").expect(Main.USAGE);
        assertEquals(2, r.lines().size(), r.out());
        assertTrue(r.lines().get(1).startsWith("{\"global_seq\":1,\"stream\":\"s\""), r.out());
        assertTrue(r.err().contains("line 3: data"), r.err());
        cli().assertJournal(2);
    }

    @Test
    void shouldReportAConflictingLineAndGoOn() throws Exception {
        Path file = data.resolveSibling(data.getFileName() + "-conflict.ndjson");
        String reserve = "{\"stream\": \"email-x@y.z\", \"type\": \"custom\", \"data\": {}, \"expect\": \"new\"}";
        Files.write(file, List.of(reserve, reserve, line("s", "{}")));
        Cli.Result r = cli().run("append", "--ndjson", file.toString()).expect(Main.CONFLICT);
        assertEquals(2, r.lines().size(), r.out());
        assertTrue(r.err().contains("line 2: wrong expected version"), r.err());
        cli().assertJournal(2);
    }

    @Test
    void shouldAppendATransactionLineAllOrNothingAndAnswerItsRetry() throws Exception {
        Path file = data.resolveSibling(data.getFileName() + "-transactions.ndjson");
        String transaction = "{\"parts\": ["
            + "{\"stream\": \"orders-1\", \"expected_version\": \"new\", \"events\": [{\"event_id\": \"" + ID_1 + "\","
            + " \"type\": \"order.placed\", \"data\": {\"n\": 1}}]},"
            + "{\"stream\": \"stock-9\", \"expected_version\": \"new\", \"events\": [{\"event_id\": \"" + ID_2 + "\","
            + " \"type\": \"stock.reserved\", \"data\": {\"n\": 1}}]}],"
            + " \"conditions\": [{\"stream\": \"closed-1\", \"expected_version\": \"new\"}]}";
        String stockTaken = "{\"parts\": [{\"stream\": \"orders-2\", \"events\": [{\"type\": \"order.placed\", \"data\": {}}]},"
            + " {\"stream\": \"stock-9\", \"expected_version\": \"new\", \"events\": [{\"type\": \"stock.reserved\", \"data\": {}}]}]}";
        Files.write(file, List.of(transaction, transaction, stockTaken, line("s", "{}")));

        Cli.Result r = cli().run("append", "--ndjson", file.toString()).expect(Main.CONFLICT);

        assertEquals(List.of("committed transaction at global_seq 0 to 1; 1 event to orders-1 from stream_version 0;"
                + " 1 event to stock-9 from stream_version 0",
            "already committed (a retry): transaction at global_seq 0 to 1; 1 event to orders-1 from stream_version 0;"
                + " 1 event to stock-9 from stream_version 0",
            "appended custom to s at global_seq 2, stream_version 0"), r.lines());
        assertTrue(r.err().contains("line 3: transaction refused: parts[1]: stream stock-9 must not exist; it is at"
            + " version 0; nothing was appended"), r.err());
        cli().assertJournal(3);

        Files.write(file, List.of("{\"parts\": [{\"stream\": \"orders-3\", \"events\": [{\"data\": {}}]}]}"));
        Cli.Result bad = cli().run("append", "--ndjson", file.toString()).expect(Main.USAGE);
        assertTrue(bad.err().contains("line 1: parts[0].events[0].type"), bad.err());
        cli().assertJournal(3);
    }

    /** The trial as transaction lines: alice's account on her address's stream only, once. */
    @Test
    void shouldHoldTheDomainRulesInATransactionLine() throws Exception {
        Path file = data.resolveSibling(data.getFileName() + "-alice.ndjson");
        List<String> lines = new java.util.ArrayList<>();
        for (String stream : List.of("email-alice@example.com", "email-alice@example.com", "email-bob@example.com")) {
            lines.add("{\"parts\": [{\"stream\": \"" + stream + "\", \"events\": [{\"type\": \"account.registered\","
                + " \"data\": {\"account_id\": \"acct-" + lines.size() + "\", \"email\": \"alice@example.com\"}}]},"
                + " {\"stream\": \"signups-" + lines.size() + "\", \"events\": [{\"type\": \"signup.logged\", \"data\": {}}]}]}");
        }
        Files.write(file, lines);

        Cli.Result r = cli().run("append", "--ndjson", file.toString(), "--json").expect(Main.USAGE);

        assertEquals(1, r.lines().size(), r.out());
        assertTrue(r.err().contains("line 2: transaction refused: parts[0]: events[0]: rule account.registered (an address"
            + " has one account): stream " + cli().stored("email-alice@example.com") + ", named by email, must not exist;"
            + " it is at version 0"), r.err());
        assertTrue(r.err().contains("line 3: parts[0].stream: rule account.registered: parts[0].events[0] belongs to stream"
            + " email-alice@example.com (named by email), not email-bob@example.com"), r.err());
        cli().assertJournal(2);
    }

    static String line(String stream, String data) {
        String type = stream.startsWith("selfies") ? "selfie.submitted" : "custom";
        return "{\"stream\": \"" + stream + "\", \"type\": \"" + type + "\", \"data\": " + data + "}";
    }
}
