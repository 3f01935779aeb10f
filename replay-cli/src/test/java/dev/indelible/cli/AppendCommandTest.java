package dev.indelible.cli;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class AppendCommandTest {
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

    static String line(String stream, String data) {
        String type = stream.startsWith("selfies") ? "selfie.submitted" : "custom";
        return "{\"stream\": \"" + stream + "\", \"type\": \"" + type + "\", \"data\": " + data + "}";
    }
}
