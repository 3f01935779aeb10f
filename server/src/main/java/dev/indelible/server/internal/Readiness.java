package dev.indelible.server.internal;

import dev.indelible.ledger.LedgerPartitions;
import dev.indelible.projections.ProjectionEngine;
import dev.indelible.projections.ProjectionStatus;

/** The one readiness rule, for HTTP's {@code GET /health/ready} and gRPC's health service. */
final class Readiness {
    /** Events a projection may trail the journal by and still count as ready. */
    static final long READY_LAG = 10_000;

    private Readiness() {
    }

    /** No projection failed or more than {@link #READY_LAG} events behind the journal (none running: ready). */
    static boolean projectionsReady(ProjectionEngine engine) {
        return engine == null || engine.status().stream()
            .allMatch(p -> p.state() != ProjectionStatus.State.FAILED && p.lag() <= READY_LAG);
    }

    /** {@link #projectionsReady}, and every partition's ledger open (its head throws once it closed). */
    static boolean ready(LedgerPartitions partitions, ProjectionEngine engine) {
        partitions.head();
        return projectionsReady(engine);
    }
}
