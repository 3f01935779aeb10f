package dev.indelible.ledger.internal.keys;

import java.nio.file.Path;
import java.util.HexFormat;

/**
 * A child process of {@link KeyStoreProcessesTest}: creates the keys of {@code count} subjects
 * {@code prefix<i>} from {@code start} round (or forever when {@code count} is 0), printing
 * {@code subject hex-key} once each is returned, as an append would then use it.
 */
public final class KeyWriter {
    private KeyWriter() {
    }

    public static void main(String[] args) {
        KeyStore store = KeyStore.open(Path.of(args[0]), false, false);
        String prefix = args[1];
        int count = Integer.parseInt(args[2]);
        int start = Integer.parseInt(args[3]);
        for (long i = 0; count == 0 || i < count; i++) {
            String subject = prefix + (count == 0 ? i : (i + start) % count);
            System.out.println(subject + " " + HexFormat.of().formatHex(store.keyFor(subject)));
        }
        store.close();
    }
}
