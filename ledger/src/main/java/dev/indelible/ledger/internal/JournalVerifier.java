package dev.indelible.ledger.internal;

import dev.indelible.ledger.VerifyReport;
import dev.indelible.ledger.VerifyReport.Kind;
import dev.indelible.ledger.VerifyReport.Problem;
import dev.indelible.ledger.proto.Envelope;
import dev.indelible.ledger.spi.Journal;
import dev.indelible.ledger.spi.JournalCursor;
import dev.indelible.ledger.spi.RecordBuffer;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.LongConsumer;

/**
 * Walks the whole journal and checks every record: layout, checksums, the chain between records,
 * dense {@code global_seq}, dense stream versions and stream links, unique event ids. Read-only.
 *
 * <p>Not thread-safe: one run per instance.
 */
final class JournalVerifier implements EventIdIndex.AddressPredicate {
    private static final int MAX_PROBLEMS = 100;
    /** Events between two reports to the progress listener. */
    private static final long PROGRESS_EVERY = 1 << 16;

    private final Journal journal;
    private final LongConsumer progress;
    private final RecordBuffer buffer = new RecordBuffer();
    private final RecordView view = new RecordView();
    private final RecordBuffer lookupBuffer = new RecordBuffer();
    private final RecordView lookupView = new RecordView();
    private final List<Problem> problems = new ArrayList<>();
    private final Map<String, long[]> streams = new HashMap<>();
    private final EventIdIndex ids = new EventIdIndex();
    private JournalCursor lookup;
    private long wantedMostSignificant;
    private long wantedLeastSignificant;
    private long expectedSeq;
    private boolean chainKnown = true;
    private int chainCrc;
    private long checked;
    private long records;
    /** How many problems were found up to the last record that loaded: later ones are the tail's. */
    private int problemsBeforeTail;

    JournalVerifier(Journal journal, LongConsumer progress) {
        this.journal = journal;
        this.progress = progress;
    }

    VerifyReport run() {
        try (JournalCursor cursor = journal.openCursor(); JournalCursor lookupCursor = journal.openCursor()) {
            lookup = lookupCursor;
            long reported = 0;
            while (problems.size() < MAX_PROBLEMS && cursor.next(buffer)) {
                records++;
                checkRecord();
                if (checked - reported >= PROGRESS_EVERY) {
                    reported = checked;
                    progress.accept(checked);
                }
            }
        }
        progress.accept(checked);
        if (problems.size() > problemsBeforeTail && problems.size() < MAX_PROBLEMS) {
            reportTornTail();
        }
        return new VerifyReport(checked, records, List.copyOf(problems));
    }

    /** Damage with no loadable record after it is what a crash mid-write leaves: say so. */
    private void reportTornTail() {
        Problem first = problems.get(problemsBeforeTail);
        int damaged = problems.size() - problemsBeforeTail;
        problems.subList(problemsBeforeTail, problems.size()).clear();
        problems.add(new Problem(Kind.TORN_TAIL, first.globalSeq(), first.location(), "incomplete record at the end of the"
            + " journal (" + damaged + " damaged, none valid after it; the writer's next open cuts it): " + first.detail()));
    }

    private void checkRecord() {
        String problem = view.load(buffer);
        long first = view.firstSeq();
        if (problem != null) {
            boolean crc = problem.startsWith("CRC");
            long at = crc && first >= expectedSeq && first <= expectedSeq + 1 ? first + view.firstBadEvent() : expectedSeq;
            report(crc ? Kind.CRC_MISMATCH : Kind.MALFORMED, at, problem);
            // Resynchronise on the header if it looks sane, so later damage is still located.
            if (view.count() > 0 && first >= expectedSeq && first < expectedSeq + 1_000_000) {
                expectedSeq = first + view.count();
            }
            chainKnown = false;
            return;
        }
        if (chainKnown && view.prevCrc() != chainCrc) {
            report(Kind.CRC_MISMATCH, expectedSeq, "checksum chain broken: the record where global_seq " + expectedSeq
                + " was due (holding " + first + ") does not follow the one before it (a record was removed, replaced or moved)");
        }
        chainKnown = true;
        chainCrc = view.lastCrc();
        if (first > expectedSeq) {
            report(Kind.GAP, expectedSeq, "global_seq " + expectedSeq + " to " + (first - 1) + " missing");
        } else if (first < expectedSeq) {
            report(Kind.DUPLICATE, expectedSeq, "global_seq " + first + " appears again where " + expectedSeq + " was due");
        }
        checkEvents(first);
        expectedSeq = Math.max(expectedSeq, first + view.count());
        problemsBeforeTail = problems.size();
    }

    private void checkEvents(long first) {
        for (int p = 0; p < view.parts(); p++) {
            String stream = null;
            for (int i = view.partStart(p); i < view.partStart(p + 1); i++) {
                Envelope e = view.envelope(i);
                long seq = first + i;
                if (e.getGlobalSeq() != seq) {
                    report(Kind.MALFORMED, seq, "event holds global_seq " + e.getGlobalSeq());
                }
                if (stream == null) {
                    stream = e.getStream();
                    checkStreamLink(stream, e.getStreamVersion(), view.prevStreamAddress(p), seq);
                } else if (!stream.equals(e.getStream())) {
                    report(Kind.MALFORMED, seq, "one part of a record holds two streams: '" + stream + "' and '"
                        + e.getStream() + "'");
                }
                checkUniqueId(e, seq);
                checked++;
            }
            long[] head = streams.get(stream);
            head[0] = view.envelope(view.partStart(p + 1) - 1).getStreamVersion();
            head[1] = buffer.address();
        }
    }

    private void checkStreamLink(String stream, long firstVersion, long prevStreamAddress, long seq) {
        long[] head = streams.computeIfAbsent(stream, s -> new long[] {-1, RecordLayout.NO_ADDRESS});
        if (head[1] == buffer.address() && head[1] != RecordLayout.NO_ADDRESS) {
            report(Kind.MALFORMED, seq, "stream '" + stream + "' has two parts in one record");
        }
        if (firstVersion != head[0] + 1) {
            report(Kind.STREAM_VERSION, seq, "stream '" + stream + "' jumps from version " + head[0] + " to " + firstVersion);
        }
        if (prevStreamAddress != head[1]) {
            report(Kind.MALFORMED, seq, "stream '" + stream + "' link points at " + prevStreamAddress
                + " instead of its previous record " + head[1]);
        }
    }

    private void checkUniqueId(Envelope e, long seq) {
        ByteBuffer id = e.getEventId().asReadOnlyByteBuffer();
        wantedMostSignificant = id.getLong(id.position());
        wantedLeastSignificant = id.getLong(id.position() + 8);
        long fp = EventIdIndex.fingerprint(wantedMostSignificant, wantedLeastSignificant);
        long address = ids.find(fp, this);
        if (address >= 0 && address != buffer.address()) {
            report(Kind.DUPLICATE, seq, "event id appears again (first in the record at address " + address + ")");
        }
        ids.put(fp, buffer.address());
    }

    @Override
    public boolean test(long address) {
        if (address == buffer.address()) {
            return false; // an id repeated inside one record is reported by the record's own walk
        }
        if (!lookup.seek(address) || !lookup.next(lookupBuffer) || lookupView.load(lookupBuffer) != null) {
            return false;
        }
        return lookupView.indexOf(wantedMostSignificant, wantedLeastSignificant) >= 0;
    }

    private void report(Kind kind, long seq, String detail) {
        if (problems.size() < MAX_PROBLEMS) {
            problems.add(new Problem(kind, seq, buffer.location(), detail));
        }
    }
}
