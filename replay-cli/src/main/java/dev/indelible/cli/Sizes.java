package dev.indelible.cli;

import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Sizes as a user writes them: bytes, or a whole number of K, M or G (powers of 1024). Stateless. */
final class Sizes {
    private static final Pattern SIZE = Pattern.compile("(\\d{1,15})([KMG]?)B?");

    private Sizes() {
    }

    /** @param field the option or variable it came from, named in the error */
    static long parse(String field, String text) {
        Matcher m = SIZE.matcher(text.strip().toUpperCase(Locale.ROOT));
        if (!m.matches()) {
            throw new IllegalArgumentException(field + ": a size is bytes or a whole number of K, M or G (e.g. 704M), was '"
                + text + "'");
        }
        int shift = switch (m.group(2)) {
            case "K" -> 10;
            case "M" -> 20;
            case "G" -> 30;
            default -> 0;
        };
        long value = Long.parseLong(m.group(1));
        if (value > Long.MAX_VALUE >> shift) {
            throw new IllegalArgumentException(field + ": " + text + " is too large");
        }
        return value << shift;
    }
}
