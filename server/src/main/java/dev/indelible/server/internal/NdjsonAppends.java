package dev.indelible.server.internal;

import dev.indelible.ledger.DaemonThreads;
import dev.indelible.ledger.InvalidEventException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

/**
 * Appends NDJSON lines as they arrive, each through an async append so one sync covers many, and
 * hands each line's outcome on in input order once it is durable: {@code indelible append --ndjson}
 * (lines as {@link EventInput#ofLine}, into the ledger) and HTTP {@code POST /append} (lines as the
 * wire's append requests, into the server's append service) both stream through it.
 *
 * <p>A bad line (one its {@link LineAppend} refuses) stops reading: the lines before it are
 * acknowledged first, then {@link BadLineException} names it. A conflict (wrong expected version,
 * reused id, a rule) is that line's outcome and the stream goes on, since later lines may already
 * be in flight. At most {@code inFlight} lines wait for their sync, so a fast writer is slowed to
 * the ledger's pace and memory stays bounded; so is a line, at {@code maxLineBytes}.
 *
 * <p>One instance per stream of lines; not thread-safe. Public for the {@code indelible} CLI of this
 * repository only, not API.
 */
public final class NdjsonAppends<A> {
    private final int inFlight;
    private final int maxLineBytes;

    public NdjsonAppends(int inFlight, int maxLineBytes) {
        this.inFlight = inFlight;
        this.maxLineBytes = maxLineBytes;
    }

    /** Starts one line's append; throws (bad input, a permission error) to end the stream at that line. */
    @FunctionalInterface
    public interface LineAppend<A> {
        /** @return the line's outcome once durable or refused; a failed future ends the stream */
        CompletableFuture<A> start(String line);
    }

    /** Receives each line's outcome, in input order, on one thread. */
    @FunctionalInterface
    public interface Outcomes<A> {
        /**
         * @param outcome the line's outcome: appended, or the conflict that kept it out
         * @throws IOException when the outcome cannot be delivered (the client left): reading stops
         */
        void outcome(long line, A outcome) throws IOException;

        /** No outcome is ready to hand on yet: the moment to flush what was buffered. */
        default void idle() throws IOException {
        }
    }

    /** The line that ended the stream, and why; every line before it had its outcome delivered. */
    public static final class BadLineException extends RuntimeException {
        private static final long serialVersionUID = 1L;
        private final long line;

        BadLineException(long line, RuntimeException why) {
            super("line " + line + ": " + why.getMessage(), why);
            this.line = line;
        }

        public long line() {
            return line;
        }

        /** What refused it: an {@link InvalidEventException}, or the {@link LineAppend}'s own exception. */
        public RuntimeException why() {
            return (RuntimeException) getCause();
        }
    }

    /**
     * Reads {@code in} to its end, appending each line; stops early, quietly, when an outcome
     * cannot be delivered (the client left).
     *
     * @throws BadLineException      after the outcomes of the lines before it
     * @throws IllegalStateException when the ledger fails mid-stream, naming the first line not appended
     */
    public void run(InputStream in, LineAppend<A> append, Outcomes<A> outcomes) throws IOException, InterruptedException {
        Delivery<A> delivery = new Delivery<>(outcomes, new ArrayBlockingQueue<>(inFlight));
        Thread thread = DaemonThreads.start("indelible-ndjson-acks", delivery);
        BadLineException bad = null;
        try {
            LineReader lines = new LineReader(in, maxLineBytes);
            for (long number = 1; delivery.healthy(); number++) {
                String line;
                CompletableFuture<A> future;
                try {
                    line = lines.next();
                    if (line == null) {
                        break;
                    }
                    if (line.isBlank()) {
                        continue;
                    }
                    future = append.start(line);
                } catch (RuntimeException e) {
                    bad = new BadLineException(number, e);
                    break;
                }
                delivery.pending.put(new Pending<>(number, future));
            }
        } finally {
            delivery.pending.put(Pending.end());
            thread.join();
        }
        if (delivery.failure != null) {
            throw delivery.failure;
        }
        if (bad != null && delivery.delivered) {
            throw bad;
        }
    }

    /** Hands outcomes on in input order as their appends become durable. */
    private static final class Delivery<A> implements Runnable {
        final Outcomes<A> outcomes;
        final BlockingQueue<Pending<A>> pending;
        volatile IllegalStateException failure;
        volatile boolean delivered = true;

        Delivery(Outcomes<A> outcomes, BlockingQueue<Pending<A>> pending) {
            this.outcomes = outcomes;
            this.pending = pending;
        }

        boolean healthy() {
            return failure == null && delivered;
        }

        @Override
        public void run() {
            try {
                for (Pending<A> p = next(); p.future() != null; p = next()) {
                    A result;
                    try {
                        if (!p.future().isDone()) {
                            idle();
                        }
                        result = p.future().join();
                    } catch (CompletionException e) {
                        if (failure == null) {
                            failure = new IllegalStateException("line " + p.line() + " was not appended: "
                                + e.getCause().getMessage() + "; lines before it were", e.getCause());
                        }
                        continue;
                    }
                    if (delivered && failure == null) {
                        try {
                            outcomes.outcome(p.line(), result);
                        } catch (IOException gone) {
                            delivered = false; // appends already made stay; nothing more is read
                        }
                    }
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }

        private Pending<A> next() throws InterruptedException {
            Pending<A> p = pending.poll();
            if (p == null) {
                idle();
                p = pending.take();
            }
            return p;
        }

        private void idle() {
            if (delivered && failure == null) {
                try {
                    outcomes.idle();
                } catch (IOException gone) {
                    delivered = false;
                }
            }
        }
    }

    /** A line in flight; the one without a future ends the delivery. */
    private record Pending<A>(long line, CompletableFuture<A> future) {
        static <A> Pending<A> end() {
            return new Pending<>(-1, null);
        }
    }

    /** UTF-8 lines of at most {@code max} bytes, decoded strictly; a longer one or invalid bytes are refused. */
    private static final class LineReader {
        private final InputStream in;
        private final int max;
        private final byte[] chunk = new byte[64 * 1024];
        private int chunkStart;
        private int chunkEnd;
        private byte[] line = new byte[256];
        private final CharsetDecoder utf8 = StandardCharsets.UTF_8.newDecoder(); // reports, never replaces

        LineReader(InputStream in, int max) {
            this.in = in;
            this.max = max;
        }

        String next() throws IOException {
            int length = 0;
            boolean any = false;
            while (true) {
                if (chunkStart == chunkEnd) {
                    chunkEnd = in.read(chunk);
                    chunkStart = 0;
                    if (chunkEnd <= 0) {
                        chunkEnd = 0;
                        return any ? decode(length) : null;
                    }
                }
                any = true;
                int end = chunkStart;
                while (end < chunkEnd && chunk[end] != '\n') {
                    end++;
                }
                int take = end - chunkStart;
                if (length + take > max) {
                    throw new InvalidEventException("line", "is over the limit of " + max + " bytes");
                }
                if (length + take > line.length) {
                    line = Arrays.copyOf(line, Math.min(max, Math.max(length + take, line.length * 2)));
                }
                System.arraycopy(chunk, chunkStart, line, length, take);
                length += take;
                chunkStart = end;
                if (end < chunkEnd) { // the newline
                    chunkStart++;
                    return decode(length);
                }
            }
        }

        private String decode(int length) {
            int end = length > 0 && line[length - 1] == '\r' ? length - 1 : length;
            try {
                return utf8.decode(ByteBuffer.wrap(line, 0, end)).toString();
            } catch (CharacterCodingException e) {
                throw new InvalidEventException("line", "is not valid UTF-8");
            }
        }
    }
}
