package dev.indelible.ledger.internal.keys;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import dev.indelible.ledger.PersonalFields;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;

/**
 * Opens the sealed values of a JSON payload wherever they are (any depth, any field: a reader may
 * not know the type's registration), copying the rest token by token.
 *
 * <p>Stateless and thread-safe.
 */
final class SealedJson {
    private static final JsonFactory JSON = new JsonFactory();
    private static final byte[] MARK = FieldCipher.PREFIX.getBytes(StandardCharsets.US_ASCII);

    private SealedJson() {
    }

    /** Whether the payload holds the bytes of a sealed value's prefix: without, nothing in it is sealed. */
    static boolean holdsSealed(byte[] payload) {
        outer:
        for (int i = 0; i <= payload.length - MARK.length; i++) {
            for (int j = 0; j < MARK.length; j++) {
                if (payload[i + j] != MARK[j]) {
                    continue outer;
                }
            }
            return true;
        }
        return false;
    }

    /** The payload with each sealed string replaced by {@code opener}'s answer; as it is when it is not JSON. */
    static byte[] opened(byte[] payload, PersonalFields.Sealer opener) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(payload.length);
        try (JsonParser parser = JSON.createParser(payload); JsonGenerator g = JSON.createGenerator(out)) {
            for (JsonToken token = parser.nextToken(); token != null; token = parser.nextToken()) {
                if (token == JsonToken.VALUE_STRING && FieldCipher.isSealed(parser.getText())) {
                    g.writeString(opener.seal(parser.currentName(), parser.getText()));
                } else {
                    g.copyCurrentEvent(parser);
                }
            }
        } catch (IOException e) {
            return payload;
        }
        return out.toByteArray();
    }
}
