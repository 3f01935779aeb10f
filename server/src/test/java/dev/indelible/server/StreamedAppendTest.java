package dev.indelible.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.indelible.ledger.RecordedEvent;
import dev.indelible.projections.proto.SelfieSubmitted;
import dev.indelible.projections.reference.DomainEvents;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code POST /append}: NDJSON appends in, NDJSON acknowledgements out, each once durable, in input order. */
class StreamedAppendTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;
    private ServerFixture f;
    private String bot;
    private final HttpClient client = HttpClient.newHttpClient();

    @BeforeEach
    void start() {
        f = new ServerFixture(dir, ServerConfig.defaults().withLimits(4_096, 1_000));
        bot = f.token("bot", "selfies-*", Verb.APPEND, Verb.READ);
    }

    @AfterEach
    void stop() {
        f.close();
    }

    @Test
    void shouldAcknowledgeEveryLineInInputOrderOnceDurable() throws Exception {
        StringBuilder body = new StringBuilder();
        for (int i = 0; i < 5_000; i++) {
            body.append(line(i % 10 + 1, "f" + i, null)).append('\n');
        }

        HttpResponse<String> answer = post(body.toString());

        assertEquals(200, answer.statusCode(), answer.body());
        assertEquals("application/x-ndjson; charset=utf-8", answer.headers().firstValue("Content-Type").orElse(""));
        List<JsonNode> acks = lines(answer.body());
        assertEquals(5_000, acks.size());
        for (int i = 0; i < acks.size(); i++) {
            assertEquals(i + 1, acks.get(i).get("line").asLong(), "input order");
            assertEquals(i, acks.get(i).get("global_seq").asLong());
            assertEquals(false, acks.get(i).get("duplicate").asBoolean());
        }
        assertEquals(5_000, f.ledger.head());

        HttpResponse<String> again = post(body.toString());
        assertTrue(lines(again.body()).stream().allMatch(a -> a.get("duplicate").asBoolean()), "a retry writes nothing");
        assertEquals(5_000, f.ledger.head());
    }

    @Test
    void shouldEndAtABadLineAfterAcknowledgingTheLinesBeforeIt() throws Exception {
        StringBuilder body = new StringBuilder();
        for (int i = 0; i < 10; i++) {
            body.append(line(7, "f" + i, null)).append('\n');
        }
        body.append(line(0, "bad", null)).append('\n').append(line(7, "never", null)).append('\n');

        List<JsonNode> answer = lines(post(body.toString()).body());

        assertEquals(11, answer.size());
        JsonNode bad = answer.get(10);
        assertEquals(11, bad.get("line").asLong());
        assertEquals("invalid_argument", bad.get("error").asText());
        assertEquals("data.user_id", bad.get("field").asText());
        assertEquals(10, f.ledger.head(), "nothing of the bad line or after it");
    }

    @Test
    void shouldReportAConflictForItsLineAndGoOn() throws Exception {
        String body = line(7, "a", null) + "\n" + line(7, "b", "new") + "\n" + line(7, "c", "0") + "\n";

        List<JsonNode> answer = lines(post(body).body());

        assertEquals(3, answer.size());
        assertEquals(0, answer.get(0).get("global_seq").asLong());
        assertEquals("wrong_expected_version", answer.get(1).get("error").asText());
        assertEquals(2, answer.get(1).get("line").asLong());
        assertEquals(0, answer.get(1).get("actual_version").asLong());
        assertEquals(1, answer.get(2).get("global_seq").asLong());
        assertEquals(2, f.ledger.head());
    }

    @Test
    void shouldAnswerABadFirstLineAsAPlainErrorAndAForbiddenStreamNamingItsLine() throws Exception {
        HttpResponse<String> bad = post("{\"stream\": \"selfies-user-7\"}\n");
        assertEquals(400, bad.statusCode(), bad.body());
        assertTrue(JSON.readTree(bad.body()).get("message").asText().startsWith("line 1: "), bad.body());

        HttpResponse<String> forbidden = post("{\"stream\": \"accounts-1\", \"type\": \"note.added\", \"data\": {}}\n");
        assertEquals(403, forbidden.statusCode(), forbidden.body());

        List<JsonNode> later = lines(post(line(7, "a", null) + "\n{\"stream\": \"accounts-1\", \"type\": \"note.added\", \"data\": {}}\n")
            .body());
        assertEquals(2, later.size());
        assertEquals("permission_denied", later.get(1).get("error").asText());
        assertEquals(2, later.get(1).get("line").asLong());

        String tooLong = "{\"stream\": \"selfies-user-7\", \"type\": \"note.added\", \"data\": {\"x\": \"" + "y".repeat(5_000) + "\"}}";
        List<JsonNode> limited = lines(post(line(7, "b", null) + "\n" + tooLong + "\n").body());
        assertEquals("line", limited.get(1).get("field").asText());
        assertTrue(limited.get(1).get("message").asText().contains("over the limit of 4096 bytes"), limited.get(1).toString());
        assertEquals(2, f.ledger.head());
    }

    @Test
    void shouldLoseNothingAcknowledgedAndHalfWriteNothingWhenTheClientLeavesMidBody() throws Exception {
        Set<String> acknowledged = new HashSet<>();
        try (Socket socket = new Socket("127.0.0.1", f.server.port())) {
            socket.setSoTimeout(30_000);
            OutputStream out = socket.getOutputStream();
            out.write(("POST /append HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer " + bot
                + "\r\nTransfer-Encoding: chunked\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            for (int i = 0; i < 2_000; i++) {
                String text = line(i % 5 + 1, "left-" + i, null) + "\n";
                if (i == 1_999) {
                    text = text.substring(0, text.length() / 2); // the last line only half sent
                }
                byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
                out.write((Integer.toHexString(bytes.length) + "\r\n").getBytes(StandardCharsets.US_ASCII));
                out.write(bytes);
                out.write("\r\n".getBytes(StandardCharsets.US_ASCII));
            }
            out.flush();
            for (String l : chunkedLines(socket.getInputStream(), 100)) {
                acknowledged.add(JSON.readTree(l).get("event_id").asText());
            }
        } // closed without the last chunk: the client left mid-body

        assertEquals(200, f.http.get("/health/live", null).status(), "the server goes on");
        f.server.close(); // waits for the request in flight: what it read before the client left is appended by then
        Map<String, Integer> stored = new HashMap<>();
        for (RecordedEvent e : f.ledger.read(0, 10_000)) {
            stored.merge(e.eventId().toString(), 1, Integer::sum);
            assertTrue(DomainEvents.parse(e, SelfieSubmitted.class).getFileId().startsWith("left-"), "a whole selfie");
        }
        assertTrue(stored.keySet().containsAll(acknowledged), "every acknowledged line is stored");
        assertTrue(stored.values().stream().allMatch(n -> n == 1), "none twice");
        assertTrue(stored.size() <= 1_999, "the half-sent line is not appended");
        assertTrue(f.ledger.verify().ok());
    }

    /** The client keeps its request open and sends nothing more: a stopping server ends it, not waits for it. */
    @Test
    void shouldAcknowledgeWhatIsDurableThenAnswerUnavailableWhenTheServerStops() throws Exception {
        try (Socket socket = new Socket("127.0.0.1", f.server.port())) {
            socket.setSoTimeout(30_000);
            OutputStream out = socket.getOutputStream();
            out.write(("POST /append HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer " + bot
                + "\r\nTransfer-Encoding: chunked\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            byte[] bytes = (line(7, "a", null) + "\n" + line(7, "b", null) + "\n" + line(7, "c", null) + "\n")
                .getBytes(StandardCharsets.UTF_8);
            out.write((Integer.toHexString(bytes.length) + "\r\n").getBytes(StandardCharsets.US_ASCII));
            out.write(bytes);
            out.write("\r\n".getBytes(StandardCharsets.US_ASCII));
            out.flush();
            java.io.DataInputStream answer = new java.io.DataInputStream(new java.io.BufferedInputStream(socket.getInputStream()));
            List<String> acks = chunkedLines(answer, 3, true);

            long closing = System.nanoTime();
            f.server.close();
            long closedMillis = (System.nanoTime() - closing) / 1_000_000;

            JsonNode last = JSON.readTree(chunkedLines(answer, 1, false).get(0));
            assertEquals(2, JSON.readTree(acks.get(2)).get("global_seq").asLong());
            assertEquals("unavailable", last.get("error").asText(), last.toString());
            assertTrue(last.get("line") == null, "no line: the clients send the unanswered lines again");
            assertTrue(closedMillis < 5_000, "the server stopped in " + closedMillis + " ms, not after its drain timeout");
            assertEquals(3, f.ledger.head());
        }
    }

    @Test
    void shouldAnswerUnavailableNotABadLineWhenTheLedgerIsClosedUnderTheServer() throws Exception {
        List<JsonNode> first = lines(post(line(7, "a", null) + "\n").body());
        f.ledger.close(); // as when a cluster node stops being the writer while requests are in flight

        HttpResponse<String> answer = post(line(7, "b", null) + "\n" + line(7, "c", null) + "\n");

        assertEquals(0, first.get(0).get("global_seq").asLong());
        assertEquals(503, answer.statusCode(), answer.body());
        JsonNode error = JSON.readTree(answer.body());
        assertEquals("unavailable", error.get("error").asText(), "clients send it again with the same event ids: " + error);
        assertTrue(error.get("message").asText().contains("the ledger is closed"), error.toString());
    }

    /** The first {@code count} NDJSON lines of a chunked HTTP answer: chunk boundaries fall anywhere in a line. */
    private static List<String> chunkedLines(java.io.InputStream raw, int count) throws Exception {
        return chunkedLines(new java.io.DataInputStream(new java.io.BufferedInputStream(raw)), count, true);
    }

    /** {@link #chunkedLines(java.io.InputStream, int)} from {@code in}, after its headers when {@code headers}. */
    private static List<String> chunkedLines(java.io.DataInputStream in, int count, boolean headers) throws Exception {
        String line;
        while (headers && !(line = readLine(in)).isEmpty()) {
            // the status line and headers
        }
        List<String> lines = new ArrayList<>();
        StringBuilder partial = new StringBuilder();
        while (lines.size() < count) {
            String sizeLine = readLine(in);
            if (sizeLine.isEmpty()) { // the end of the chunk before: Jetty sends it with the next chunk
                sizeLine = readLine(in);
            }
            int size = Integer.parseInt(sizeLine.strip(), 16);
            assertTrue(size > 0, "the answer ended after " + lines.size() + " lines");
            byte[] chunk = new byte[size];
            in.readFully(chunk);
            partial.append(new String(chunk, StandardCharsets.UTF_8));
            for (int nl = partial.indexOf("\n"); nl >= 0 && lines.size() < count; nl = partial.indexOf("\n")) {
                lines.add(partial.substring(0, nl));
                partial.delete(0, nl + 1);
            }
        }
        return lines;
    }

    private static String readLine(java.io.DataInputStream in) throws java.io.IOException {
        StringBuilder out = new StringBuilder();
        for (int b = in.read(); b != '\n'; b = in.read()) {
            if (b < 0) {
                throw new java.io.EOFException("the answer ended");
            }
            if (b != '\r') {
                out.append((char) b);
            }
        }
        return out.toString();
    }

    @Test
    void shouldTakeATransactionLineAsPostTransactionsDoesAndGoOnAfterItsRefusal() throws Exception {
        String transaction = "{\"parts\":[{\"stream\":\"selfies-user-8\",\"expected_version\":\"new\",\"events\":["
            + line(8, "t1", null) + "]},{\"stream\":\"selfies-user-9\",\"expected_version\":\"new\",\"events\":["
            + line(9, "t2", null) + "]}],\"conditions\":[{\"stream\":\"selfies-user-10\",\"expected_version\":\"new\"}]}";
        String taken = "{\"parts\":[{\"stream\":\"selfies-user-11\",\"events\":[" + line(11, "t3", null) + "]},"
            + "{\"stream\":\"selfies-user-9\",\"expected_version\":\"new\",\"events\":[" + line(9, "t4", null) + "]}]}";
        String forbidden = "{\"parts\":[{\"stream\":\"selfies-user-12\",\"events\":[" + line(12, "t5", null) + "]}],"
            + "\"conditions\":[{\"stream\":\"accounts-1\",\"expected_version\":\"new\"}]}";

        HttpResponse<String> answer = post(String.join("\n", transaction, taken, line(1, "f1", null), transaction, forbidden));

        List<JsonNode> acks = lines(answer.body());
        assertEquals(5, acks.size(), answer.body());
        assertEquals("{\"line\":1,\"first_global_seq\":0,\"last_global_seq\":1,\"duplicate\":false,\"parts\":["
            + "{\"stream\":\"selfies-user-8\",\"first_global_seq\":0,\"last_global_seq\":0,\"first_stream_version\":0,"
            + "\"last_stream_version\":0,\"count\":1,\"duplicate\":false},{\"stream\":\"selfies-user-9\",\"first_global_seq\":1,"
            + "\"last_global_seq\":1,\"first_stream_version\":0,\"last_stream_version\":0,\"count\":1,\"duplicate\":false}]}",
            acks.get(0).toString());
        assertEquals("parts[1].expected_version", acks.get(1).get("field").asText(), acks.get(1).toString());
        assertEquals(1, acks.get(1).get("part").asInt(), acks.get(1).toString());
        assertEquals(2, acks.get(2).get("global_seq").asLong(), acks.get(2).toString());
        assertTrue(acks.get(3).get("duplicate").asBoolean(), acks.get(3).toString());
        assertEquals("permission_denied", acks.get(4).get("error").asText(), acks.get(4).toString());
        assertEquals("conditions[0].stream", acks.get(4).get("field").asText(), acks.get(4).toString());
        assertEquals(3, f.ledger.head());
    }

    private HttpResponse<String> post(String body) throws Exception {
        return client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + f.server.port() + "/append"))
            .header("Authorization", "Bearer " + bot).timeout(Duration.ofSeconds(60))
            .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private static String line(long user, String fileId, String expect) {
        String id = UUID.nameUUIDFromBytes((user + "/" + fileId).getBytes(StandardCharsets.UTF_8)).toString();
        return "{\"stream\":\"selfies-user-" + user + "\",\"type\":\"selfie.submitted\",\"event_id\":\"" + id + "\""
            + (expect == null ? "" : ",\"expect\":\"" + expect + "\"")
            + ",\"data\":{\"user_id\":" + user + ",\"media_type\":\"photo\",\"file_id\":\"" + fileId
            + "\",\"submitted_at\":\"2025-11-04T12:07:00Z\"}}";
    }

    private static List<JsonNode> lines(String body) throws Exception {
        List<JsonNode> out = new ArrayList<>();
        for (String l : body.split("\n")) {
            if (!l.isBlank()) {
                out.add(JSON.readTree(l));
            }
        }
        return out;
    }
}
