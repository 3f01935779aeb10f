package dev.indelible.ledger.internal.keys;

import com.google.protobuf.InvalidProtocolBufferException;
import dev.indelible.ledger.AppendResult;
import dev.indelible.ledger.ContentType;
import dev.indelible.ledger.EventData;
import dev.indelible.ledger.EventRule;
import dev.indelible.ledger.ExpectedVersion;
import dev.indelible.ledger.InvalidEventException;
import dev.indelible.ledger.Ledger;
import dev.indelible.ledger.LedgerConfig;
import dev.indelible.ledger.LedgerException;
import dev.indelible.ledger.Operations;
import dev.indelible.ledger.PersonalData;
import dev.indelible.ledger.PersonalFields;
import dev.indelible.ledger.RecordedEvent;
import dev.indelible.ledger.Transaction;
import dev.indelible.ledger.internal.KillPoints;
import dev.indelible.ledger.spi.SubjectKeys;
import dev.indelible.ledger.proto.OperationRecorded;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The ledger's side of personal data: seals the personal fields of events on their way in (after
 * checks, before encoding), names personal streams by their keyed hash, opens sealed values for
 * reads, and erases subjects. Without a key store (a ledger over a journal that has none) it
 * passes everything through.
 *
 * <p>Thread-safe.
 */
public final class PersonalSealing implements PersonalData {
    private static final Logger LOG = LoggerFactory.getLogger(PersonalSealing.class);
    /** The figure of an {@code ops.erase} event that names the subject. */
    public static final String SUBJECT_FIGURE = "subject";
    private static final HexFormat HEX = HexFormat.of();

    private final LedgerConfig config;
    private final SubjectKeys store;
    private final String[] prefixes;
    /** Whether anything is sealed or hashed on the way in: without, the append path passes events through untouched. */
    private final boolean sealing;
    private volatile Ledger ledger;
    /** Runs its argument with no other append of the ledger in between (the appender's lock). */
    private volatile Exclusive exclusive;
    /** This thread's last personal stream name and its hash: an append names its stream twice (its own, its rule's). */
    private final ThreadLocal<String[]> lastName = ThreadLocal.withInitial(() -> new String[2]);

    /** Runs work with no other append of the ledger in between. */
    @FunctionalInterface
    public interface Exclusive {
        <T> T run(Supplier<T> work);
    }

    public PersonalSealing(LedgerConfig config, SubjectKeys store) {
        this.config = config;
        this.store = store;
        this.sealing = store != null && config.hasPersonalData();
        // Without a store there is no secret: personal streams keep their names, as nothing is sealed.
        this.prefixes = sealing ? config.personalStreams().toArray(new String[0]) : new String[0];
    }

    /**
     * Binds the ledger erasures are recorded in, and destroys the keys of erasures it records that the
     * store lacks. {@code exclusive} keeps other appends out from an erasure's keys to its event.
     */
    public void attach(Ledger owner, Exclusive exclusive) {
        this.ledger = owner;
        this.exclusive = exclusive;
        if (store != null) {
            applyRecordedErasures();
        }
    }

    public SubjectKeys store() {
        return store;
    }

    /** Releases the key store's files. */
    public void close() {
        if (store != null) {
            store.close();
        }
    }

    @Override
    public String streamName(String stream) {
        if (store == null || stream == null) {
            return stream;
        }
        for (String prefix : prefixes) {
            if (stream.startsWith(prefix) && !isHash(stream, prefix.length())) {
                return hashed(stream, prefix);
            }
        }
        return stream;
    }

    private String hashed(String stream, String prefix) {
        String[] last = lastName.get();
        if (!stream.equals(last[0])) {
            byte[] rest = stream.substring(prefix.length()).getBytes(StandardCharsets.UTF_8);
            last[1] = prefix + HEX.formatHex(FieldCipher.hmac(store.secret(), rest));
            last[0] = stream;
        }
        return last[1];
    }

    private static boolean isHash(String stream, int from) {
        if (stream.length() - from != 64) {
            return false;
        }
        for (int i = from; i < stream.length(); i++) {
            char c = stream.charAt(i);
            if (!(c >= '0' && c <= '9' || c >= 'a' && c <= 'f')) {
                return false;
            }
        }
        return true;
    }

    /** The requirements with their streams named as stored; the same array when nothing changes. */
    public EventRule.Requirement[] streamNames(EventRule.Requirement[] requirements) {
        if (requirements == null || prefixes.length == 0 || store == null) {
            return requirements;
        }
        EventRule.Requirement[] named = requirements;
        for (int i = 0; i < requirements.length; i++) {
            EventRule.Requirement r = requirements[i];
            EventRule.Requirement stored = r == null ? null : storedNames(r);
            if (stored != r) {
                if (named == requirements) {
                    named = requirements.clone();
                }
                named[i] = stored;
            }
        }
        return named;
    }

    /**
     * The requirement with its streams named as stored; itself when none is personal (most appends: a
     * selfie's). {@link #streamName} returns the very name it was given when it keeps it.
     */
    private EventRule.Requirement storedNames(EventRule.Requirement r) {
        String stream = streamName(r.stream());
        boolean changed = stream != r.stream();
        String[] conditionStreams = new String[r.conditions().size()];
        for (int i = 0; i < conditionStreams.length; i++) {
            String named = r.conditions().get(i).stream();
            conditionStreams[i] = streamName(named);
            changed |= conditionStreams[i] != named;
        }
        if (!changed) {
            return r;
        }
        List<EventRule.Condition> conditions = new ArrayList<>(conditionStreams.length);
        for (int i = 0; i < conditionStreams.length; i++) {
            EventRule.Condition c = r.conditions().get(i);
            conditions.add(new EventRule.Condition(conditionStreams[i], c.field(), c.expectedVersion(), c.why()));
        }
        return new EventRule.Requirement(stream, r.field(), r.expectedVersion(), r.why(), conditions);
    }

    public EventRule.Requirement[][] streamNames(EventRule.Requirement[][] requirements) {
        if (requirements == null || prefixes.length == 0 || store == null) {
            return requirements;
        }
        EventRule.Requirement[][] named = requirements.clone();
        for (int p = 0; p < named.length; p++) {
            named[p] = streamNames(named[p]);
        }
        return named;
    }

    /** The event with its personal fields sealed; itself when its type has none. */
    public EventData seal(EventData event) {
        PersonalFields fields = config.personalFields(event.type());
        if (fields == null || store == null) {
            return event;
        }
        String subject = fields.subject(event);
        byte[] key = store.keyFor(subject);
        if (key == null) {
            throw new InvalidEventException("payload", "names data subject " + subject + ", which was erased: nothing of"
                + " it is written again");
        }
        byte[] payload = fields.seal(event, (field, value) ->
            value.isEmpty() || FieldCipher.isSealed(value) ? value : FieldCipher.seal(key, subject, field, value));
        return new EventData(event.eventId(), event.type(), event.contentType(), payload, event.metadata());
    }

    public List<EventData> seal(List<EventData> events) {
        if (!sealing) {
            return events;
        }
        List<EventData> sealed = null;
        for (int i = 0; i < events.size(); i++) {
            EventData e = seal(events.get(i));
            if (e != events.get(i) && sealed == null) {
                sealed = new ArrayList<>(events.subList(0, i));
            }
            if (sealed != null) {
                sealed.add(e);
            }
        }
        return sealed == null ? events : sealed;
    }

    /** The transaction with its streams named as stored and its events sealed. */
    public Transaction seal(Transaction transaction) {
        if (!sealing) {
            return transaction;
        }
        List<Transaction.Part> parts = new ArrayList<>(transaction.parts().size());
        boolean changed = false;
        for (Transaction.Part part : transaction.parts()) {
            String stream = streamName(part.stream());
            List<EventData> events = seal(part.events());
            changed |= !stream.equals(part.stream()) || events != part.events();
            parts.add(new Transaction.Part(stream, part.expectedVersion(), events));
        }
        List<Transaction.Condition> conditions = new ArrayList<>(transaction.conditions().size());
        for (Transaction.Condition c : transaction.conditions()) {
            String stream = streamName(c.stream());
            changed |= !stream.equals(c.stream());
            conditions.add(new Transaction.Condition(stream, c.expectedVersion()));
        }
        return changed ? new Transaction(parts, conditions) : transaction;
    }

    @Override
    public String open(String field, String value) {
        if (store == null || !FieldCipher.isSealed(value)) {
            return value;
        }
        String subject = FieldCipher.subjectOf(value);
        byte[] key = subject == null ? null : store.key(subject);
        if (key == null) {
            return ERASED;
        }
        try {
            return FieldCipher.open(key, field, value);
        } catch (IllegalArgumentException failed) {
            return openWithAnother(subject, key, field, value, failed);
        }
    }

    /** A value another writer of the journal sealed with a key of its own (a Kafka partition's). */
    private String openWithAnother(String subject, byte[] tried, String field, String value, IllegalArgumentException failed) {
        for (byte[] other : store.keys(subject)) {
            if (other != tried) {
                try {
                    return FieldCipher.open(other, field, value);
                } catch (IllegalArgumentException notThisOne) {
                    // the next
                }
            }
        }
        throw failed;
    }

    @Override
    public RecordedEvent opened(RecordedEvent e) {
        if (store == null || !SealedJson.holdsSealed(e.payload())) {
            return e;
        }
        PersonalFields.Sealer opener = (field, value) -> openOrKeep(field, value);
        byte[] payload;
        if (e.contentType() == ContentType.JSON) {
            payload = SealedJson.opened(e.payload(), opener);
        } else {
            PersonalFields fields = config.personalFields(e.type());
            if (fields == null) {
                return e;
            }
            payload = fields.seal(new EventData(e.eventId(), e.type(), e.contentType(), e.payload(), e.metadata()), opener);
        }
        return new RecordedEvent(e.globalSeq(), e.stream(), e.streamVersion(), e.eventId(), e.type(), e.contentType(),
            e.recordedAtMicros(), e.producerId(), payload, e.metadata());
    }

    /** A sealed value opened; one that fails its check stays as stored: a reader sees it is not clear text. */
    private String openOrKeep(String field, String value) {
        try {
            return open(field, value);
        } catch (IllegalArgumentException altered) {
            return value;
        }
    }

    @Override
    public RecordedEvent sealed(RecordedEvent e) {
        EventData sealed;
        try {
            sealed = seal(new EventData(e.eventId(), e.type(), e.contentType(), e.payload(), e.metadata()));
        } catch (InvalidEventException bad) {
            throw new InvalidEventException(bad.field(), "global_seq " + e.globalSeq() + " (" + e.type() + "): " + bad.reason());
        }
        return new RecordedEvent(e.globalSeq(), streamName(e.stream()), e.streamVersion(), e.eventId(), e.type(),
            e.contentType(), e.recordedAtMicros(), e.producerId(), sealed.payload(), e.metadata());
    }

    @Override
    public boolean isSealed(String value) {
        return FieldCipher.isSealed(value);
    }

    @Override
    public boolean isErased(String subject) {
        return store != null && store.isErased(subject);
    }

    @Override
    public boolean hasKey(String subject) {
        return store != null && store.key(subject) != null;
    }

    @Override
    public Set<String> erasedSubjects() {
        return store == null ? Set.of() : store.erasedSubjects();
    }

    @Override
    public Path keyStore() {
        return store == null ? null : store.file();
    }

    @Override
    public void copyKeyStore(Path dataDir) {
        if (store != null) {
            store.copyTo(dataDir.resolve("keys"));
        }
    }

    @Override
    public boolean erase(String subject, String detail, Map<String, String> figures) {
        if (subject == null || subject.isBlank()) {
            throw new InvalidEventException("subject", "must not be empty");
        }
        if (store == null) {
            throw new LedgerException("this ledger keeps no personal-data keys, so it sealed nothing and has nothing to"
                + " erase (a journal written in clear, before personal data was sealed: see `indelible export-journal"
                + " --encrypt-personal-data`)");
        }
        if (store.isErased(subject)) {
            return false;
        }
        Map<String, String> all = new java.util.TreeMap<>(figures);
        all.put(SUBJECT_FIGURE, subject);
        EventData event = Operations.event("erase", detail, Instant.now(), "ok", all);
        // Keys destroyed by records of the event's own transaction (Kafka) are made ready with no append between.
        CompletableFuture<AppendResult> appended = exclusive.run(() -> {
            store.erasing(subject);
            try {
                return ledger.appendAsync(ERASURE_STREAM, ExpectedVersion.ANY, event);
            } finally {
                store.erasingDone();
            }
        });
        Operations.confirm("erase", "erasures", appended);
        KillPoints.reach(KillPoints.ERASE_RECORDED);
        applyRecordedErasures();
        return true;
    }

    /** Destroys the keys of every subject an {@code ops.erase} event names after those the store has applied. */
    private void applyRecordedErasures() {
        long from = store.erasuresApplied() + 1;
        Set<String> subjects = new LinkedHashSet<>();
        long last = from - 1;
        while (true) {
            List<RecordedEvent> events = ledger.readStream(ERASURE_STREAM, from, 1_000);
            for (RecordedEvent e : events) {
                last = e.streamVersion();
                String subject = subjectOf(e);
                if (subject != null) {
                    subjects.add(subject);
                }
            }
            if (events.size() < 1_000) {
                break;
            }
            from = last + 1;
        }
        if (last >= store.erasuresApplied() + 1 || !subjects.isEmpty()) {
            store.erase(subjects, last);
        }
    }

    /**
     * The subject an {@code ops.erase} event names, or null for another event. An unreadable one names
     * none: the ledger writes them through {@link Operations#record}, so it was appended by hand before
     * the audit streams took only audit records, and failing here would stop the ledger from opening.
     */
    public static String subjectOf(RecordedEvent e) {
        if (!e.type().equals("ops.erase")) {
            return null;
        }
        try {
            String subject = OperationRecorded.parseFrom(e.payload()).getFiguresOrDefault(SUBJECT_FIGURE, "");
            return subject.isEmpty() ? null : subject;
        } catch (InvalidProtocolBufferException bad) {
            LOG.warn("the ops.erase event at global_seq {} is not an audit record ({}): it erases nothing", e.globalSeq(),
                bad.getMessage());
            return null;
        }
    }
}
