package dev.indelible.server.internal;

import com.google.protobuf.InvalidProtocolBufferException;
import dev.indelible.ledger.DaemonThreads;
import dev.indelible.ledger.Ledger;
import dev.indelible.ledger.RecordedEvent;
import dev.indelible.server.Tokens;
import java.time.DateTimeException;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps this server's tokens in step with the token changes in the journal: every
 * {@code ops.token_create} and {@code ops.token_revoke} on an {@code ops-token-} stream, whichever
 * node or command made it, is applied here ({@link TokenAudit#apply}). On a cluster every node has
 * its own {@code tokens.json}, so a token created or revoked on one node reaches the others within
 * a poll. The audit streams take appends only from admin tokens and only as audit records, so what
 * is applied is what an operator did. Reads the token streams from the start once, then polls
 * {@link Ledger#auditStreams()} for new events; polling reads nothing while nothing changed.
 */
final class TokenReplication implements AutoCloseable {
    static final long POLL_MILLIS = 1_000;
    private static final Logger LOG = LoggerFactory.getLogger(TokenReplication.class);
    private static final int PAGE = 256;

    private final Ledger ledger;
    private final Tokens tokens;
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(
        DaemonThreads.named("indelible-token-replication"));
    // Only the timer's thread touches it: the next stream version to apply, per token stream.
    private final Map<String, Long> applied = new HashMap<>();

    TokenReplication(Ledger ledger, Tokens tokens) {
        this.ledger = ledger;
        this.tokens = tokens;
        timer.scheduleWithFixedDelay(this::poll, 0, POLL_MILLIS, TimeUnit.MILLISECONDS);
    }

    private void poll() {
        try {
            for (String stream : ledger.auditStreams()) {
                if (stream.startsWith(TokenAudit.STREAM_PREFIX)) {
                    follow(stream);
                }
            }
        } catch (RuntimeException e) { // a closed ledger, a token file that cannot be written: tried again next poll
            LOG.warn("token changes in the journal not applied yet: {}", e.getMessage());
        }
    }

    private void follow(String stream) {
        long from = applied.getOrDefault(stream, 0L);
        List<RecordedEvent> page;
        do {
            page = ledger.readStream(stream, from, PAGE);
            for (RecordedEvent e : page) {
                try {
                    if (TokenAudit.apply(tokens, e)) {
                        LOG.info("applied {} of {} from the journal (global_seq {})", e.type(), stream, e.globalSeq());
                    }
                } catch (InvalidProtocolBufferException | IllegalArgumentException | NullPointerException | DateTimeException bad) {
                    // A malformed event is skipped; a token file that cannot be written is not (tried again next poll).
                    LOG.warn("{} at global_seq {} is not a token change this server can apply, skipped: {}", e.type(),
                        e.globalSeq(), bad.getMessage());
                }
                from = e.streamVersion() + 1;
            }
            applied.put(stream, from);
        } while (page.size() == PAGE);
    }

    @Override
    public void close() {
        timer.shutdownNow();
    }
}
