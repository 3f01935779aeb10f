package dev.indelible.server;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

/**
 * What the server logs while open: gRPC's java.util.logging records (where an exception a call
 * throws ends up) and standard error, where slf4j-simple writes the project's own logs.
 */
final class LogCapture implements AutoCloseable {
    private final Logger root = Logger.getLogger("");
    private final List<LogRecord> records = new CopyOnWriteArrayList<>();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();
    private final PrintStream originalErr = System.err;
    private final Handler handler = new Handler() {
        @Override
        public void publish(LogRecord record) {
            records.add(record);
        }

        @Override
        public void flush() {
        }

        @Override
        public void close() {
        }
    };

    LogCapture() {
        handler.setLevel(Level.ALL);
        root.addHandler(handler);
        System.setErr(new PrintStream(new TeeStream(originalErr, err), true, StandardCharsets.UTF_8));
    }

    /** Warnings, errors and stack traces logged so far, one per line; empty when there were none. */
    String problems() {
        StringBuilder out = new StringBuilder();
        for (LogRecord r : records) {
            if (r.getLevel().intValue() >= Level.WARNING.intValue() || r.getThrown() != null) {
                out.append("JUL ").append(r.getLevel()).append(' ').append(r.getLoggerName()).append(": ").append(r.getMessage())
                    .append(r.getThrown() == null ? "" : " " + r.getThrown()).append('\n');
            }
        }
        String text;
        synchronized (err) {
            text = err.toString(StandardCharsets.UTF_8);
        }
        for (String line : text.split("\n")) {
            if (line.contains(" WARN ") || line.contains(" ERROR ") || line.startsWith("\tat ") || line.startsWith("Caused by")) {
                out.append("stderr ").append(line).append('\n');
            }
        }
        return out.toString();
    }

    @Override
    public void close() {
        root.removeHandler(handler);
        System.setErr(originalErr);
    }

    private static final class TeeStream extends java.io.OutputStream {
        private final java.io.OutputStream a;
        private final ByteArrayOutputStream b;

        TeeStream(java.io.OutputStream a, ByteArrayOutputStream b) {
            this.a = a;
            this.b = b;
        }

        @Override
        public void write(int c) throws java.io.IOException {
            a.write(c);
            synchronized (b) {
                b.write(c);
            }
        }

        @Override
        public void write(byte[] bytes, int off, int len) throws java.io.IOException {
            a.write(bytes, off, len);
            synchronized (b) {
                b.write(bytes, off, len);
            }
        }
    }
}
