package dev.indelible.server.internal;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;

/**
 * A request body whose reads end with {@link Stopped} once {@link #stop} is called, also a read
 * blocked waiting for a client that sends nothing: a streaming request must not hold a stopping
 * server until the client ends its body. Thread-safe: one thread reads, any thread stops.
 *
 * <p>Design note: a blocked read is ended by interrupting the reading thread, only while it is in
 * the read, and the interrupt is cleared before the read returns, so the handler thread goes back
 * to its pool (and writes its answer) uninterrupted.
 */
final class StoppableBody extends FilterInputStream {
    private Thread reader; // guarded by this: the thread inside a read, if any
    private boolean stopped;

    /** What a read throws once the body was stopped: the lines read before stay read. */
    static final class Stopped extends IOException {
        private static final long serialVersionUID = 1L;

        Stopped() {
            super("the server is stopping");
        }
    }

    StoppableBody(InputStream in) {
        super(in);
    }

    /** Ends the read in progress, if any, and every later one. */
    synchronized void stop() {
        stopped = true;
        if (reader != null) {
            reader.interrupt();
        }
    }

    @Override
    public int read() throws IOException {
        byte[] one = new byte[1];
        return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        synchronized (this) {
            if (stopped) {
                throw new Stopped();
            }
            reader = Thread.currentThread();
        }
        try {
            return super.read(b, off, len);
        } catch (InterruptedIOException e) {
            synchronized (this) {
                if (stopped) {
                    throw new Stopped();
                }
            }
            throw e;
        } finally {
            synchronized (this) {
                reader = null;
                if (stopped) {
                    Thread.interrupted(); // stop()'s interrupt, if it came as the read returned
                }
            }
        }
    }
}
