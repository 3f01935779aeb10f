package dev.indelible.ledger.testing;

import dev.indelible.ledger.EventData;
import dev.indelible.ledger.Ledger;
import dev.indelible.ledger.RecordedEvent;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Checks a journal written by {@link AppendWorker} in transaction mode: every transaction found is
 * whole, all its events at consecutive {@code global_seq}s, each on its stream and as written;
 * never a part of one. Events of other writers (plain mode, {@code ops.*}) are skipped.
 *
 * <p>Stateless.
 */
public final class WholeTransactions {
    private static final Pattern NAMED =
        Pattern.compile("\\{\"producer\":\"([^\"]*)\",\"thread\":(\\d+),\"i\":(\\d+),\"tx\":(\\d+),\"size\":(\\d+),");

    private WholeTransactions() {
    }

    /** What the check found: transactions of more than one event, single appends, and their events. */
    public record Found(long transactions, long singles, long events) {
    }

    /** Every event of the journal, in {@code global_seq} order. */
    public static List<RecordedEvent> readAll(Ledger ledger) {
        List<RecordedEvent> all = new ArrayList<>();
        for (List<RecordedEvent> page = ledger.read(0, 10_000); !page.isEmpty(); page = ledger.read(all.size(), 10_000)) {
            all.addAll(page);
        }
        return all;
    }

    /** Fails, saying where, on a transaction found in part or out of order; else counts what it found. */
    public static Found check(List<RecordedEvent> journal, String where) {
        long transactions = 0;
        long singles = 0;
        long events = 0;
        for (int seq = 0; seq < journal.size(); seq++) {
            Matcher named = named(journal.get(seq));
            if (named == null) {
                continue;
            }
            String producer = named.group(1);
            int thread = Integer.parseInt(named.group(2));
            long i = Long.parseLong(named.group(3));
            long first = Long.parseLong(named.group(4));
            int size = Integer.parseInt(named.group(5));
            if (i != first) {
                throw new AssertionError(where + ": partial transaction: event " + i + " of " + producer + "/t" + thread
                    + "'s transaction " + first + " (" + size + " events) at global_seq " + seq + " without the events before it");
            }
            for (int k = 0; k < size; k++) {
                AppendWorker.Planned expected = AppendWorker.planned(producer, thread, first + k);
                if (seq + k >= journal.size() || !same(expected, journal.get(seq + k))) {
                    throw new AssertionError(where + ": partial transaction: " + producer + "/t" + thread + "'s transaction "
                        + first + " (" + size + " events) from global_seq " + seq + " lacks its event " + (first + k)
                        + (seq + k < journal.size() ? "; found " + describe(journal.get(seq + k)) : "; the journal ends"));
                }
            }
            seq += size - 1;
            events += size;
            if (size > 1) {
                transactions++;
            } else {
                singles++;
            }
        }
        return new Found(transactions, singles, events);
    }

    private static Matcher named(RecordedEvent e) {
        if (!e.type().equals("test.appended")) {
            return null;
        }
        Matcher m = NAMED.matcher(new String(e.payload(), StandardCharsets.UTF_8));
        return m.lookingAt() ? m : null;
    }

    private static boolean same(AppendWorker.Planned expected, RecordedEvent found) {
        EventData event = expected.event();
        return event.eventId().equals(found.eventId()) && expected.stream().equals(found.stream())
            && Arrays.equals(event.payload(), found.payload());
    }

    private static String describe(RecordedEvent e) {
        return e.stream() + " v" + e.streamVersion() + " " + e.type() + " " + new String(e.payload(), StandardCharsets.UTF_8);
    }
}
