package dev.indelible.ledger.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * {@link JsonSyntax} against Jackson, the authority: on generated documents and on every kind of
 * mutation of them, whatever JsonSyntax accepts Jackson accepts too; and JsonSyntax accepts the
 * valid documents it is there for, so they skip Jackson.
 */
class JsonSyntaxTest {
    private static final JsonFactory JSON = new JsonFactory();
    private static final int CASES = Boolean.getBoolean("indelible.soak") ? 5_000_000 : 100_000;

    @Test
    void shouldNeverAcceptWhatJacksonRefuses() {
        long seed = Long.getLong("indelible.seed", System.nanoTime());
        Random random = new Random(seed);
        int generated = 0;
        int fastPath = 0;
        int mutantsAccepted = 0;
        for (int n = 0; n < CASES; n++) {
            byte[] doc = document(random);
            assertTrue(jackson(doc), "seed " + seed + ": generator made invalid JSON: " + show(doc));
            generated++;
            fastPath += JsonSyntax.isObject(doc) ? 1 : 0;
            byte[] mutant = mutate(random, doc);
            if (JsonSyntax.isObject(mutant)) {
                mutantsAccepted++;
                assertTrue(jackson(mutant), "seed " + seed + ": accepted what Jackson refuses: " + show(mutant));
            }
        }
        System.out.printf("JsonSyntaxTest (seed %d): %d documents, %d on the fast path; %d mutants, %d accepted, all"
            + " accepted by Jackson too%n", seed, generated, fastPath, CASES, mutantsAccepted);
        assertTrue(fastPath > generated * 99L / 100, "the fast path takes valid documents: " + fastPath + " of " + generated);
    }

    @Test
    void shouldFindAStringStopInAWordExactlyWhenAByteOfItIsOne() {
        for (int position = 0; position < Long.BYTES; position++) {
            for (int c = 0; c < 256; c++) {
                for (int other : new int[] {'a', 0x00, 0x1F, 0x20, 0x21, '"' + 1, '\\' + 1, 0x7F, 0x80, 0xFF}) {
                    byte[] bytes = new byte[Long.BYTES];
                    Arrays.fill(bytes, (byte) other);
                    bytes[position] = (byte) c;
                    assertEquals(anyStops(bytes), JsonSyntax.stopsStringRun(word(bytes)),
                        "byte " + c + " at " + position + " among " + other + "s");
                }
            }
        }
        Random random = new Random(42);
        byte[] bytes = new byte[Long.BYTES];
        for (int n = 0; n < 1_000_000; n++) {
            for (int k = 0; k < Long.BYTES; k++) {
                bytes[k] = (byte) (random.nextBoolean() ? 0x20 + random.nextInt(0x60) : random.nextInt(256));
            }
            assertEquals(anyStops(bytes), JsonSyntax.stopsStringRun(word(bytes)), show(bytes));
        }
    }

    private static boolean anyStops(byte[] bytes) {
        for (byte b : bytes) {
            int c = b & 0xFF;
            if (c == '"' || c == '\\' || c < 0x20 || c >= 0x80) {
                return true;
            }
        }
        return false;
    }

    private static long word(byte[] bytes) {
        return ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).getLong();
    }

    @Test
    void shouldDecideTheCornerCasesAsJacksonDoesOrLeaveThemToIt() {
        List<String> accepted = List.of("{}", " {\"a\":1} ", "{\"a\":[1,-0.5e+3,true,false,null,\"\\u00e9\\n\"]}",
            "{\"é\":\"日本\",\"x\":\"\uD83D\uDE00\"}", "{\"a\":{\"b\":{}}}\r\n\t");
        for (String s : accepted) {
            byte[] b = s.getBytes(StandardCharsets.UTF_8);
            assertTrue(JsonSyntax.isObject(b), s);
            assertTrue(jackson(b), s);
        }
        List<String> refused = List.of("", "[]", "1", "\"a\"", "{", "{\"a\"}", "{\"a\":}", "{\"a\":01}", "{\"a\":1.}",
            "{\"a\":.5}", "{\"a\":+1}", "{\"a\":1,}", "{,}", "{\"a\":tru}", "{\"a\":truex}", "{\"a\":\"\t\"}",
            "{\"a\":\"\\x\"}", "{\"a\":\"\\u12g4\"}", "{'a':1}", "{a:1}", "{} {}", "{}x", "{\"a\":NaN}", "{\"a\":1}]",
            "{\"a\":[1 2]}", "{\"a\":-}", "{\"a\":1e}", "{\"a\":\"unterminated}");
        for (String s : refused) {
            byte[] b = s.getBytes(StandardCharsets.UTF_8);
            assertFalse(JsonSyntax.isObject(b), s);
            assertFalse(jackson(b), s);
        }
        // Malformed UTF-8, overlong forms, surrogates: never on the fast path.
        for (byte[] b : List.of(bytes("{\"a\":\"", 0xC0, 0xAF, "\"}"), bytes("{\"a\":\"", 0xED, 0xA0, 0x80, "\"}"),
            bytes("{\"a\":\"", 0xE2, 0x28, 0xA1, "\"}"), bytes("{\"a\":\"", 0xF5, 0x80, 0x80, 0x80, "\"}"),
            bytes("{\"a\":\"", 0x80, "\"}"), bytes(0xEF, 0xBB, 0xBF, "{}"))) {
            assertFalse(JsonSyntax.isObject(b), show(b));
        }
        assertEquals(false, JsonSyntax.isObject(("{\"a\":" + "[".repeat(64) + "]".repeat(64) + "}").getBytes(StandardCharsets.UTF_8)));
    }

    private static boolean jackson(byte[] payload) {
        try (JsonParser parser = JSON.createParser(payload)) {
            if (parser.nextToken() != JsonToken.START_OBJECT) {
                return false;
            }
            parser.skipChildren();
            return parser.nextToken() == null;
        } catch (IOException | RuntimeException e) {
            return false;
        }
    }

    private static byte[] document(Random random) {
        StringBuilder out = new StringBuilder();
        object(random, out, 0);
        return out.toString().getBytes(StandardCharsets.UTF_8);
    }

    private static void object(Random random, StringBuilder out, int depth) {
        space(random, out);
        out.append('{');
        for (int i = random.nextInt(depth == 0 ? 6 : 3); i > 0; i--) {
            space(random, out);
            string(random, out);
            space(random, out);
            out.append(':');
            space(random, out);
            value(random, out, depth + 1);
            space(random, out);
            if (i > 1) {
                out.append(',');
            }
        }
        out.append('}');
        space(random, out);
    }

    private static void value(Random random, StringBuilder out, int depth) {
        switch (depth > 4 ? random.nextInt(5) : random.nextInt(7)) {
            case 0 -> string(random, out);
            case 1 -> out.append(random.nextBoolean() ? random.nextInt() : random.nextLong());
            case 2 -> out.append(random.nextBoolean() ? Double.toString(random.nextGaussian() * 1e6) : "-0.5E-7");
            case 3 -> out.append(List.of("true", "false", "null").get(random.nextInt(3)));
            case 4 -> out.append(random.nextInt(100));
            case 5 -> object(random, out, depth);
            default -> {
                out.append('[');
                for (int i = random.nextInt(4); i > 0; i--) {
                    value(random, out, depth + 1);
                    if (i > 1) {
                        out.append(',');
                    }
                }
                out.append(']');
            }
        }
    }

    private static void string(Random random, StringBuilder out) {
        out.append('"');
        for (int i = random.nextInt(12); i > 0; i--) {
            switch (random.nextInt(10)) {
                case 0 -> out.append(List.of("\\n", "\\\"", "\\\\", "\\/", "\\t", "\\u00e9", "\\uD83D\\uDE00").get(random.nextInt(7)));
                case 1 -> out.append(List.of("é", "日", "\uD83D\uDE00", "\u007f", "ß").get(random.nextInt(5)));
                default -> out.append((char) ('a' + random.nextInt(26)));
            }
        }
        out.append('"');
    }

    private static void space(Random random, StringBuilder out) {
        if (random.nextInt(4) == 0) {
            out.append(" \t\n\r".charAt(random.nextInt(4)));
        }
    }

    private static final byte[] INTERESTING = "{}[]\",:\\-+.eE0123456789tfnlu \t\n\r/'x".getBytes(StandardCharsets.UTF_8);

    /** One mutation: a byte changed, deleted, inserted or duplicated, or the end cut off. */
    private static byte[] mutate(Random random, byte[] doc) {
        int at = random.nextInt(doc.length);
        byte any = random.nextInt(3) == 0 ? (byte) random.nextInt(256) : INTERESTING[random.nextInt(INTERESTING.length)];
        switch (random.nextInt(5)) {
            case 0 -> {
                byte[] b = doc.clone();
                b[at] = any;
                return b;
            }
            case 1 -> {
                byte[] b = new byte[doc.length - 1];
                System.arraycopy(doc, 0, b, 0, at);
                System.arraycopy(doc, at + 1, b, at, doc.length - at - 1);
                return b;
            }
            case 2 -> {
                byte[] b = new byte[doc.length + 1];
                System.arraycopy(doc, 0, b, 0, at);
                b[at] = any;
                System.arraycopy(doc, at, b, at + 1, doc.length - at);
                return b;
            }
            case 3 -> {
                int length = 1 + random.nextInt(Math.min(8, doc.length - at));
                byte[] b = new byte[doc.length + length];
                System.arraycopy(doc, 0, b, 0, at + length);
                System.arraycopy(doc, at, b, at + length, doc.length - at);
                return b;
            }
            default -> {
                return java.util.Arrays.copyOf(doc, at);
            }
        }
    }

    private static byte[] bytes(Object... parts) {
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        for (Object p : parts) {
            if (p instanceof String s) {
                out.writeBytes(s.getBytes(StandardCharsets.UTF_8));
            } else {
                out.write((Integer) p);
            }
        }
        return out.toByteArray();
    }

    private static String show(byte[] b) {
        return new String(b, StandardCharsets.ISO_8859_1) + " " + java.util.HexFormat.of().formatHex(b);
    }
}
