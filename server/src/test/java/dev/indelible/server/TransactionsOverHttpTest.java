package dev.indelible.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.indelible.ledger.ExpectedVersion;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code POST /transactions}: parts and conditions all or nothing, answered with every part's
 * positions (a retry with the same ids: the same, as a duplicate), a refusal naming the part or
 * condition (409), bad input naming the field (400), a stream the token may not use (403), and
 * the domain rules as in a single append; nothing written by any refusal.
 */
class TransactionsOverHttpTest {
    private static final String ID_1 = "0b6c5f4e-1b1f-4c8e-9a55-3c7f1d2e9a01";
    private static final String ID_2 = "0b6c5f4e-1b1f-4c8e-9a55-3c7f1d2e9a02";

    @TempDir
    Path dir;
    private ServerFixture f;
    private String bot;

    @BeforeEach
    void start() {
        f = new ServerFixture(dir);
        bot = f.token("bot", "*", Verb.APPEND, Verb.READ);
    }

    @AfterEach
    void stop() {
        f.close();
    }

    @Test
    void shouldCommitEveryPartAndAnswerARetryWithTheSamePositions() {
        f.http.post("/streams/orders-1", bot, order(null, 0));
        String body = "{\"parts\": ["
            + "{\"stream\": \"orders-1\", \"expected_version\": 0, \"events\": [" + order(ID_1, 1) + "]},"
            + "{\"stream\": \"stock-9\", \"expected_version\": \"new\", \"events\": [" + order(ID_2, 2) + "]}],"
            + " \"conditions\": [{\"stream\": \"closed-1\", \"expected_version\": \"new\"}]}";

        Http.Response first = f.http.post("/transactions", bot, body);
        Http.Response retry = f.http.post("/transactions", bot, body);

        assertEquals(200, first.status(), first.body());
        assertEquals("{\"first_global_seq\":1,\"last_global_seq\":2,\"duplicate\":false,\"parts\":["
            + "{\"stream\":\"orders-1\",\"first_global_seq\":1,\"last_global_seq\":1,\"first_stream_version\":1,"
            + "\"last_stream_version\":1,\"count\":1,\"duplicate\":false},"
            + "{\"stream\":\"stock-9\",\"first_global_seq\":2,\"last_global_seq\":2,\"first_stream_version\":0,"
            + "\"last_stream_version\":0,\"count\":1,\"duplicate\":false}]}", first.body());
        assertEquals(200, retry.status(), retry.body());
        assertTrue(retry.json().get("duplicate").asBoolean(), retry.body());
        assertEquals(first.json().get("parts").findValues("first_global_seq"), retry.json().get("parts").findValues("first_global_seq"));
        assertEquals(3, f.ledger.head(), "the retry wrote nothing");

        Http.Response reused = f.http.post("/transactions", bot, body.replace("{\"n\": 2}", "{\"n\": 9}"));
        assertEquals(409, reused.status(), reused.body());
        assertEquals("event_id_conflict", reused.json().get("error").asText(), reused.body());
        assertEquals("parts[1].events[0].event_id", reused.json().get("field").asText(), reused.body());
        assertEquals(ID_2, reused.json().get("event_id").asText(), reused.body());
        assertEquals(3, f.ledger.head(), "nothing written for the reused ids");
    }

    @Test
    void shouldRefuseTheWholeTransactionNamingThePartWhoseVersionIsWrong() {
        f.http.post("/streams/stock-9", bot, order(null, 0));

        Http.Response refused = f.http.post("/transactions", bot, "{\"parts\": ["
            + "{\"stream\": \"orders-1\", \"expected_version\": \"new\", \"events\": [" + order(null, 1) + "]},"
            + "{\"stream\": \"stock-9\", \"expected_version\": \"new\", \"events\": [" + order(null, 2) + "]}]}");

        assertEquals(409, refused.status(), refused.body());
        assertEquals("{\"error\":\"wrong_expected_version\",\"field\":\"parts[1].expected_version\","
            + "\"message\":\"parts[1]: stream stock-9 must not exist; it is at version 0\",\"part\":1,"
            + "\"actual_version\":0,\"expected_version\":-1,\"stream\":\"stock-9\"}", refused.body());
        assertEquals(1, f.ledger.head(), "nothing of parts[0] either");
        assertEquals(ExpectedVersion.NO_STREAM, f.ledger.streamVersion("orders-1"));
    }

    @Test
    void shouldRefuseTheWholeTransactionNamingTheConditionThatFailed() {
        f.http.post("/streams/closed-1", bot, order(null, 0));

        Http.Response refused = f.http.post("/transactions", bot, "{\"parts\": ["
            + "{\"stream\": \"orders-1\", \"events\": [" + order(null, 1) + "]}],"
            + " \"conditions\": [{\"stream\": \"customer-1\", \"expected_version\": \"exists\"}]}");
        Http.Response closed = f.http.post("/transactions", bot, "{\"parts\": ["
            + "{\"stream\": \"orders-1\", \"events\": [" + order(null, 1) + "]}],"
            + " \"conditions\": [{\"stream\": \"closed-1\", \"expected_version\": \"new\"}]}");

        assertEquals(409, refused.status(), refused.body());
        assertEquals("{\"error\":\"wrong_expected_version\",\"field\":\"conditions[0].expected_version\","
            + "\"message\":\"conditions[0]: stream customer-1 must exist; it does not exist\",\"condition\":0,"
            + "\"actual_version\":-1,\"expected_version\":-4,\"stream\":\"customer-1\"}", refused.body());
        assertEquals(409, closed.status(), closed.body());
        assertEquals("conditions[0].expected_version", closed.json().get("field").asText(), closed.body());
        assertEquals(0, closed.json().get("actual_version").asLong(), closed.body());
        assertEquals(1, f.ledger.head(), "nothing written by either");
    }

    @Test
    void shouldRefuseBadInputNamingTheFieldAndWriteNothing() {
        String good = "{\"stream\": \"orders-1\", \"events\": [" + order(null, 1) + "]}";
        assertBad("parts[1].events[0].type", "is required",
            "{\"parts\": [" + good + ", {\"stream\": \"orders-2\", \"events\": [{\"data\": {}}]}]}");
        assertBad("parts[0].events[0].data.media_type", null, "{\"parts\": [{\"stream\": \"selfies-user-7\", \"events\": ["
            + Http.selfie(7, "f1").replace("\"photo\"", "\"\"") + "]}]}");
        assertBad("conditions[0].expected_version", "must be any, new, exists or a version >= 0, was 'later'",
            "{\"parts\": [" + good + "], \"conditions\": [{\"stream\": \"x\", \"expected_version\": \"later\"}]}");
        assertBad("conditions[0].expected_version", "is required: new, exists or a version",
            "{\"parts\": [" + good + "], \"conditions\": [{\"stream\": \"x\"}]}");
        assertBad("conditions[0].stream", "repeats the stream of parts[0] (orders-1): a transaction names each stream once",
            "{\"parts\": [" + good + "], \"conditions\": [{\"stream\": \"orders-1\", \"expected_version\": \"new\"}]}");
        assertBad("parts[0].events", "is required: an array of {\"type\", \"data\"}", "{\"parts\": [{\"stream\": \"a\"}]}");
        assertBad("parts", "is required: an array of {\"stream\", \"expected_version\", \"events\"}", "{\"conditions\": []}");
        assertEquals(0, f.ledger.head());
    }

    @Test
    void shouldRefuseATransactionWithAStreamTheTokenMayNotUseAndWriteNothing() {
        String orders = f.token("orders", "orders-*", Verb.APPEND);
        String part = "{\"stream\": \"orders-1\", \"events\": [" + order(null, 1) + "]}";

        Http.Response stock = f.http.post("/transactions", orders, "{\"parts\": [" + part + ","
            + "{\"stream\": \"stock-9\", \"events\": [" + order(null, 2) + "]}]}");
        Http.Response condition = f.http.post("/transactions", orders, "{\"parts\": [" + part + "],"
            + " \"conditions\": [{\"stream\": \"closed-1\", \"expected_version\": \"new\"}]}");
        Http.Response ownCondition = f.http.post("/transactions", orders, "{\"parts\": [" + part + "],"
            + " \"conditions\": [{\"stream\": \"orders-2\", \"expected_version\": \"new\"}]}");

        assertEquals(403, stock.status(), stock.body());
        assertEquals("parts[1].stream", stock.json().get("field").asText(), stock.body());
        assertEquals("token orders may not append stream stock-9 (streams [orders-*], verbs [append])",
            stock.json().get("message").asText(), stock.body());
        assertEquals(403, condition.status(), condition.body());
        assertEquals("conditions[0].stream", condition.json().get("field").asText(), condition.body());
        assertTrue(condition.json().get("message").asText().startsWith("token orders may not read or append stream closed-1"),
            condition.body());
        assertEquals(200, ownCondition.status(), "a condition on a stream the token appends to: " + ownCondition.body());
        assertEquals(1, f.ledger.head(), "only the last");
    }

    /** The trial, as transactions: alice's account on her address's stream only, and only once. */
    @Test
    void shouldHoldTheDomainRulesInATransactionAsInASingleAppend() {
        List<Http.Response> answers = new java.util.ArrayList<>();
        for (String stream : List.of("email-alice@example.com", "email-bob@example.com", "acct-x")) {
            answers.add(f.http.post("/transactions", bot, "{\"parts\": [{\"stream\": \"" + stream + "\","
                + " \"expected_version\": \"new\", \"events\": [" + registered("acct-" + stream.length()) + "]},"
                + "{\"stream\": \"signups-" + stream + "\", \"events\": [" + order(null, 1) + "]}]}"));
        }
        Http.Response second = f.http.post("/transactions", bot, "{\"parts\": [{\"stream\": \"email-alice@example.com\","
            + " \"events\": [" + registered("acct-2") + "]}]}");

        assertEquals(200, answers.get(0).status(), answers.get(0).body());
        for (int i = 1; i < 3; i++) {
            JsonNode wrong = answers.get(i).json();
            assertEquals(400, answers.get(i).status(), answers.get(i).body());
            assertEquals("parts[0].stream", wrong.get("field").asText(), answers.get(i).body());
            assertTrue(wrong.get("message").asText().startsWith("rule account.registered: parts[0].events[0] belongs to"
                + " stream email-alice@example.com (named by email), not "), answers.get(i).body());
        }
        assertEquals(409, second.status(), second.body());
        String alice = f.ledger.personalData().streamName("email-alice@example.com"); // stored as a keyed hash
        assertEquals("{\"error\":\"rule_violated\",\"field\":\"parts[0].events[0].data.email\","
            + "\"message\":\"parts[0]: events[0]: rule account.registered (an address has one account): stream"
            + " " + alice + ", named by email, must not exist; it is at version 0\",\"part\":0,"
            + "\"actual_version\":0,\"checked_stream\":\"" + alice + "\",\"event_index\":0,"
            + "\"required_version\":-1,\"rule\":\"account.registered\",\"stream\":\"" + alice + "\","
            + "\"why\":\"an address has one account\"}", second.body());
        assertEquals(2, f.ledger.head(), "the first transaction's two events, nothing else");
        assertEquals(ExpectedVersion.NO_STREAM, f.ledger.streamVersion("signups-acct-x"), "nor the refused ones' other part");
        assertEquals(ExpectedVersion.NO_STREAM, f.ledger.streamVersion("signups-email-bob@example.com"));
    }

    private void assertBad(String field, String message, String body) {
        Http.Response bad = f.http.post("/transactions", bot, body);
        assertEquals(400, bad.status(), bad.body());
        assertEquals("invalid_argument", bad.json().get("error").asText(), bad.body());
        assertEquals(field, bad.json().get("field").asText(), bad.body());
        if (message != null) {
            assertEquals(message, bad.json().get("message").asText(), bad.body());
        }
    }

    static String order(String eventId, int n) {
        return "{" + (eventId == null ? "" : "\"event_id\": \"" + eventId + "\", ") + "\"type\": \"order.placed\","
            + " \"data\": {\"n\": " + n + "}}";
    }

    static String registered(String accountId) {
        return "{\"type\": \"account.registered\", \"data\": {\"account_id\": \"" + accountId + "\","
            + " \"email\": \"alice@example.com\", \"display_name\": \"Alice\"}}";
    }
}
