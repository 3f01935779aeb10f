package dev.indelible.cli;

import dev.indelible.ledger.Ledger;
import dev.indelible.projections.Projection;
import dev.indelible.projections.ProjectionEngine;
import dev.indelible.projections.ProjectionInUseException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/** Opens projections for one command: run and caught up here, or read-only where another process runs them. */
final class Projections {
    private static final Duration CATCH_UP = Duration.ofMinutes(10);

    private Projections() {
    }

    /**
     * An engine over {@code projections}: started here and caught up to the journal head, or, when
     * a server already runs them, opened read-only as that server has them.
     */
    static ProjectionEngine open(Ledger ledger, Path dir, List<Projection> projections) {
        return open(List.of(ledger), dir, projections);
    }

    /** {@link #open(Ledger, Path, List)} over every partition of a journal, partition p at index p. */
    static ProjectionEngine open(List<Ledger> partitions, Path dir, List<Projection> projections) {
        try {
            ProjectionEngine engine = ProjectionEngine.start(partitions, dir, projections);
            if (!engine.awaitCaughtUp(CATCH_UP)) {
                engine.close();
                throw new IllegalStateException("the projections did not catch up with the journal within " + CATCH_UP);
            }
            return engine;
        } catch (ProjectionInUseException e) {
            return ProjectionEngine.openReadOnly(partitions, dir, projections);
        }
    }
}
