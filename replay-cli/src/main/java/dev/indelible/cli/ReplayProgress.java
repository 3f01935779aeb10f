package dev.indelible.cli;

import dev.indelible.projections.RebuildListener;
import java.io.PrintWriter;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;

/**
 * Shows a rebuild's progress: a bar with rate and ETA on a terminal, otherwise a plain line about
 * every two seconds (logs and pipes stay readable).
 */
abstract class ReplayProgress implements RebuildListener, AutoCloseable {

    static ReplayProgress open(String projection, PrintWriter err, boolean quiet) {
        if (quiet) {
            return new Lines(projection, null);
        }
        return System.console() != null ? new Bar(projection) : new Lines(projection, err);
    }

    @Override
    public void close() {
    }

    private static final class Bar extends ReplayProgress {
        private final ProgressBar bar;

        Bar(String projection) {
            bar = new ProgressBarBuilder().setTaskName("replay " + projection).setUnit(" events", 1)
                .setStyle(ProgressBarStyle.ASCII).showSpeed().setUpdateIntervalMillis(250).build();
        }

        @Override
        public void onProgress(long position, long target) {
            bar.maxHint(target);
            bar.stepTo(position);
        }

        @Override
        public void close() {
            bar.close();
        }
    }

    private static final class Lines extends ReplayProgress {
        private final String projection;
        private final PrintWriter err;
        private final long started = System.nanoTime();
        private long lastPrint = started;

        Lines(String projection, PrintWriter err) {
            this.projection = projection;
            this.err = err;
        }

        @Override
        public void onProgress(long position, long target) {
            long now = System.nanoTime();
            if (err == null || now - lastPrint < 2_000_000_000L) {
                return;
            }
            lastPrint = now;
            double rate = position / Math.max(1e-9, (now - started) / 1e9);
            err.printf("replay %s: %,d of %,d events (%d%%), %,.0f events/s, ETA %.0f s%n", projection, position, target,
                target == 0 ? 100 : position * 100 / target, rate, (target - position) / Math.max(1, rate));
            err.flush();
        }
    }
}
