package dev.indelible.ledger.kafka.internal;

import dev.indelible.ledger.LedgerException;

/**
 * A topic {@link TopicCheck} refuses for a reason trying again cannot cure: settings that could lose
 * events, a partition count or partition that is not there, a topic that is absent and may not be
 * created. Nodes starting together retry the topic checks on any other failure, not on this one.
 *
 * <p>Immutable and thread-safe.
 */
final class TopicRefusedException extends LedgerException {
    private static final long serialVersionUID = 1L;

    TopicRefusedException(String message) {
        super(message);
    }
}
