package dev.indelible.server.internal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

import dev.indelible.projections.reference.DomainEvents;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class DomainJsonTest {
    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "selfie.submitted|{\"user_id\":7,\"media_type\":\"photo\",\"file_id\":\"a\",\"submitted_at\":\"2026-12-02T12:00:00Z\"}",
        "selfie.submitted|{\"userId\":7,\"mediaType\":\"photo\",\"fileId\":\"IMG_1.jpg\",\"submittedAt\":\"2024-02-29T23:59:59.5Z\"}",
        "selfie.submitted|{\"user_id\":9007199254740993,\"media_type\":\"video\",\"file_id\":\"b\",\"submitted_at\":\"0001-01-01T00:00:00.000000001Z\"}",
        "selfie.submitted|{\"user_id\":7,\"media_type\":\"photo\",\"file_id\":\"caf\u00e9 \\u00e9\\n\",\"submitted_at\":\"1970-01-01T00:00:00Z\"}",
        "message.posted|{\"message_id\":\"m1\",\"project\":\"p\",\"channel\":\"c\",\"user\":\"u\",\"posted_at\":\"9999-12-31T23:59:59.123Z\"}",
        "account.registered|{\"account_id\":\"a1\",\"email\":\"x@example.com\",\"display_name\":\"\"}",
    })
    void shouldMapThePlainCaseToTheBytesOfProtobufsJsonMapping(String type, String json) {
        byte[] fast = DomainJson.protobuf(type, json.getBytes(StandardCharsets.UTF_8));
        assertNotNull(fast, json);
        assertArrayEquals(DomainEvents.fromJson(type, json).payload(), fast, json);
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "{\"user_id\":\"7\",\"media_type\":\"photo\",\"file_id\":\"a\",\"submitted_at\":\"2026-12-02T12:00:00Z\"}",
        "{\"user_id\":7,\"user_id\":8,\"media_type\":\"photo\",\"file_id\":\"a\",\"submitted_at\":\"2026-12-02T12:00:00Z\"}",
        "{\"user_id\":7,\"media_type\":\"photo\",\"file_id\":\"a\",\"submitted_at\":\"2026-12-02T12:00:00+01:00\"}",
        "{\"user_id\":7,\"media_type\":\"photo\",\"file_id\":\"a\",\"submitted_at\":\"2026-02-30T12:00:00Z\"}",
        "{\"user_id\":7,\"media_type\":null,\"file_id\":\"a\",\"submitted_at\":\"2026-12-02T12:00:00Z\"}",
        "{\"user_id\":7.0,\"media_type\":\"photo\",\"file_id\":\"a\",\"submitted_at\":\"2026-12-02T12:00:00Z\"}",
        "{\"user_id\":7,\"media_type\":\"photo\",\"file_id\":\"a\",\"submitted_at\":\"2026-12-02T12:00:00Z\",\"extra\":1}",
        "{\"user_id\":7,\"media_type\":\"photo\"} {}",
    })
    void shouldLeaveAnythingElseToProtobufsJsonMapping(String json) {
        assertNull(DomainJson.protobuf("selfie.submitted", json.getBytes(StandardCharsets.UTF_8)), json);
    }
}
