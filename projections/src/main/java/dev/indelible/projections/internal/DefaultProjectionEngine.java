package dev.indelible.projections.internal;

import dev.indelible.ledger.Ledger;
import dev.indelible.projections.EngineConfig;
import dev.indelible.projections.Projection;
import dev.indelible.projections.ProjectionEngine;

import java.nio.file.Path;
import java.util.List;

/** The engine behind {@link ProjectionEngine}. */
public final class DefaultProjectionEngine {
    private DefaultProjectionEngine() {
    }

    public static ProjectionEngine start(Ledger ledger, Path dir, List<Projection> projections, EngineConfig config) {
        throw new UnsupportedOperationException("engine lands in the next commit");
    }
}
