package dev.indelible.cli;

import dev.indelible.ledger.InvalidEventException;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PushbackInputStream;
import java.util.Base64;

/**
 * A legacy file that is a JSON object, or base64 (MIME, any line length) of one, decoded as it is
 * read so it is never held whole. Not thread-safe, like any stream.
 */
final class Base64Json extends FilterInputStream {
    private static final String ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/=";
    private final InputStream raw;

    private Base64Json(InputStream raw) {
        super(Base64.getMimeDecoder().wrap(raw));
        this.raw = raw;
    }

    /** {@code file} itself when its first non-blank byte opens an object; else its base64 decoding. */
    static InputStream decodeUnlessObject(InputStream file) {
        PushbackInputStream in = new PushbackInputStream(file, 1);
        try {
            int first = in.read();
            while (first == ' ' || first == '\t' || first == '\r' || first == '\n') {
                first = in.read();
            }
            if (first == '{') {
                in.unread(first);
                return in;
            }
            if (first >= 0) {
                in.unread(first);
            }
        } catch (IOException e) {
            throw new InvalidEventException("file", "cannot be read: " + e.getMessage());
        }
        return new Base64Json(in);
    }

    /**
     * Decodes what is left after the JSON value, and refuses base64 after the padding (which the
     * stream decoder would ignore), so the file is refused exactly when decoding it whole would be.
     */
    static void checkRest(InputStream in) throws IOException {
        if (in instanceof Base64Json b64) {
            byte[] chunk = new byte[8192];
            while (b64.read(chunk) >= 0) {
                // decoded bytes after the value are ignored, as after a plain JSON file's value
            }
            for (int n = b64.raw.read(chunk); n >= 0; n = b64.raw.read(chunk)) {
                for (int i = 0; i < n; i++) {
                    if (ALPHABET.indexOf(chunk[i]) >= 0) {
                        throw refused(new IOException("base64 goes on after its padding"));
                    }
                }
            }
        }
    }

    @Override
    public int read() throws IOException {
        try {
            return super.read();
        } catch (IOException e) {
            throw refused(e);
        }
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        try {
            return super.read(b, off, len);
        } catch (IOException e) {
            throw refused(e);
        }
    }

    private static InvalidEventException refused(IOException e) {
        return new InvalidEventException("file", "is neither a JSON object nor base64 of one: " + e.getMessage());
    }
}
