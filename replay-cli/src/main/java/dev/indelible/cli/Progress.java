package dev.indelible.cli;

import dev.indelible.projections.RebuildListener;
import java.io.PrintWriter;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;

/**
 * Shows how far a long command is through the events it works on (a rebuild, a backup, a restore,
 * a copy): a bar with rate and ETA on a terminal, otherwise a plain line about every two seconds
 * (logs and pipes stay readable); nothing at all with {@code --json}.
 */
abstract class Progress implements RebuildListener, AutoCloseable {

    /**
     * @param task what the line names, e.g. {@code "replay selfies"} or {@code "backup"}; a target
     *             below 0 in {@link #onProgress} means the total is not known
     */
    static Progress open(String task, PrintWriter err, boolean quiet) {
        if (quiet) {
            return new Lines(task, null);
        }
        return System.console() != null ? new Bar(task) : new Lines(task, err);
    }

    @Override
    public void close() {
    }

    private static final class Bar extends Progress {
        private final ProgressBar bar;

        Bar(String task) {
            bar = new ProgressBarBuilder().setTaskName(task).setUnit(" events", 1)
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

    private static final class Lines extends Progress {
        private final String task;
        private final PrintWriter err;
        private final long started = System.nanoTime();
        private long lastPrint = started;

        Lines(String task, PrintWriter err) {
            this.task = task;
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
            if (target < 0) {
                err.printf("%s: %,d events, %,.0f events/s%n", task, position, rate);
                err.flush();
                return;
            }
            err.printf("%s: %,d of %,d events (%d%%), %,.0f events/s, ETA %.0f s%n", task, position, target,
                target == 0 ? 100 : position * 100 / target, rate, (target - position) / Math.max(1, rate));
            err.flush();
        }
    }
}
