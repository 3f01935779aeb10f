package dev.indelible.ledger;

import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * How a ledger behaves: durability, file rolling, size limits, validators, rules and the clock.
 * Build with {@link #builder()}; every setting has a documented default.
 *
 * <p>Immutable and thread-safe.
 */
public final class LedgerConfig {
    /** Default largest payload: 1 MiB. */
    public static final int DEFAULT_MAX_PAYLOAD_BYTES = 1 << 20;
    /** Largest stream name, in UTF-8 bytes. */
    public static final int DEFAULT_MAX_STREAM_BYTES = 256;
    /** Largest event type name, in UTF-8 bytes. */
    public static final int DEFAULT_MAX_TYPE_BYTES = 128;
    public static final int DEFAULT_MAX_EVENTS_PER_APPEND = 10_000;
    public static final int DEFAULT_MAX_METADATA_ENTRIES = 32;
    /** Events appended after which a checkpoint of the in-memory indexes is written. */
    public static final long DEFAULT_CHECKPOINT_INTERVAL = 2_000_000;
    public static final long DEFAULT_FREE_SPACE_RESERVE = 64L << 20;

    private final Durability durability;
    private final RollCycle rollCycle;
    private final int maxPayloadBytes;
    private final int maxStreamBytes;
    private final int maxTypeBytes;
    private final int maxEventsPerAppend;
    private final int maxMetadataEntries;
    private final long checkpointInterval;
    private final long freeSpaceReserve;
    private final List<Path> reserveAlsoOn;
    private final String producerId;
    private final Clock clock;
    private final Map<String, EventValidator> validators;
    private final Map<String, EventRule> rules;
    private final Map<String, PersonalFields> personalFields;
    private final List<String> personalStreams;

    private LedgerConfig(Builder b) {
        this.durability = b.durability;
        this.rollCycle = b.rollCycle;
        this.maxPayloadBytes = b.maxPayloadBytes;
        this.maxStreamBytes = b.maxStreamBytes;
        this.maxTypeBytes = b.maxTypeBytes;
        this.maxEventsPerAppend = b.maxEventsPerAppend;
        this.maxMetadataEntries = b.maxMetadataEntries;
        this.checkpointInterval = b.checkpointInterval;
        this.freeSpaceReserve = b.freeSpaceReserve;
        this.reserveAlsoOn = List.copyOf(b.reserveAlsoOn);
        this.producerId = b.producerId;
        this.clock = b.clock;
        this.validators = Map.copyOf(b.validators);
        this.rules = Map.copyOf(b.rules);
        this.personalFields = Map.copyOf(b.personalFields);
        this.personalStreams = List.copyOf(b.personalStreams);
    }

    /** {@link Durability#MEMORY_MAPPED}, daily files, the default limits. */
    public static LedgerConfig defaults() {
        return builder().build();
    }

    public static Builder builder() {
        return new Builder();
    }

    /** A builder holding this configuration's settings. */
    public Builder toBuilder() {
        Builder b = new Builder();
        b.durability = durability;
        b.rollCycle = rollCycle;
        b.maxPayloadBytes = maxPayloadBytes;
        b.maxStreamBytes = maxStreamBytes;
        b.maxTypeBytes = maxTypeBytes;
        b.maxEventsPerAppend = maxEventsPerAppend;
        b.maxMetadataEntries = maxMetadataEntries;
        b.checkpointInterval = checkpointInterval;
        b.freeSpaceReserve = freeSpaceReserve;
        b.reserveAlsoOn.addAll(reserveAlsoOn);
        b.producerId = producerId;
        b.clock = clock;
        b.validators.putAll(validators);
        b.rules.putAll(rules);
        b.personalFields.putAll(personalFields);
        b.personalStreams.addAll(personalStreams);
        return b;
    }

    public Durability durability() {
        return durability;
    }

    public RollCycle rollCycle() {
        return rollCycle;
    }

    public int maxPayloadBytes() {
        return maxPayloadBytes;
    }

    public int maxStreamBytes() {
        return maxStreamBytes;
    }

    public int maxTypeBytes() {
        return maxTypeBytes;
    }

    public int maxEventsPerAppend() {
        return maxEventsPerAppend;
    }

    public int maxMetadataEntries() {
        return maxMetadataEntries;
    }

    public long checkpointInterval() {
        return checkpointInterval;
    }

    /** Bytes the embedded journal leaves free on its file system: appends are refused below it. */
    public long freeSpaceReserve() {
        return freeSpaceReserve;
    }

    /** Directories whose file systems the reserve is checked on too, besides the journal's. */
    public List<Path> reserveAlsoOn() {
        return reserveAlsoOn;
    }

    public String producerId() {
        return producerId;
    }

    public Clock clock() {
        return clock;
    }

    /** The validator registered for {@code type}, or null. */
    public EventValidator validator(String type) {
        return validators.get(type);
    }

    /** The rule registered for {@code type}, or null. */
    public EventRule rule(String type) {
        return rules.get(type);
    }

    /** The event types that have a rule. */
    public Set<String> ruleTypes() {
        return rules.keySet();
    }

    /** The personal fields registered for {@code type}, or null. */
    public PersonalFields personalFields(String type) {
        return personalFields.get(type);
    }

    /** Whether any type has personal fields or any stream prefix is personal. */
    public boolean hasPersonalData() {
        return !personalFields.isEmpty() || !personalStreams.isEmpty();
    }

    /** The stream name prefixes whose names are stored as a keyed hash: see {@link Builder#personalStreams}. */
    public List<String> personalStreams() {
        return personalStreams;
    }

    /** Validates settings as they are set: a bad value fails at once, naming the setting. */
    public static final class Builder {
        private Durability durability = Durability.MEMORY_MAPPED;
        private RollCycle rollCycle = RollCycle.DAILY;
        private int maxPayloadBytes = DEFAULT_MAX_PAYLOAD_BYTES;
        private int maxStreamBytes = DEFAULT_MAX_STREAM_BYTES;
        private int maxTypeBytes = DEFAULT_MAX_TYPE_BYTES;
        private int maxEventsPerAppend = DEFAULT_MAX_EVENTS_PER_APPEND;
        private int maxMetadataEntries = DEFAULT_MAX_METADATA_ENTRIES;
        private long checkpointInterval = DEFAULT_CHECKPOINT_INTERVAL;
        private long freeSpaceReserve = DEFAULT_FREE_SPACE_RESERVE;
        private final List<Path> reserveAlsoOn = new ArrayList<>();
        private String producerId = defaultProducerId();
        private Clock clock = Clock.systemUTC();
        private final Map<String, EventValidator> validators = new HashMap<>();
        private final Map<String, EventRule> rules = new HashMap<>();
        private final Map<String, PersonalFields> personalFields = new HashMap<>();
        private final List<String> personalStreams = new ArrayList<>();

        private Builder() {
        }

        public Builder durability(Durability value) {
            this.durability = Objects.requireNonNull(value, "durability");
            return this;
        }

        public Builder rollCycle(RollCycle value) {
            this.rollCycle = Objects.requireNonNull(value, "rollCycle");
            return this;
        }

        /** Largest payload accepted, 1 byte to 64 MiB. */
        public Builder maxPayloadBytes(int value) {
            this.maxPayloadBytes = inRange("maxPayloadBytes", value, 1, 64 << 20);
            return this;
        }

        public Builder maxStreamBytes(int value) {
            this.maxStreamBytes = inRange("maxStreamBytes", value, 1, 4096);
            return this;
        }

        public Builder maxTypeBytes(int value) {
            this.maxTypeBytes = inRange("maxTypeBytes", value, 1, 1024);
            return this;
        }

        public Builder maxEventsPerAppend(int value) {
            this.maxEventsPerAppend = inRange("maxEventsPerAppend", value, 1, 1_000_000);
            return this;
        }

        public Builder maxMetadataEntries(int value) {
            this.maxMetadataEntries = inRange("maxMetadataEntries", value, 0, 1024);
            return this;
        }

        /**
         * Bytes to keep free on the journal's file system (default 64 MiB): an append that would
         * go below it is refused with {@code JournalFullException}, before anything is written, so
         * Chronicle never maps a page the disk cannot back (a SIGBUS would crash the JVM). Room
         * for a new cycle file's header, the checkpoint and the projections' next writes.
         */
        public Builder freeSpaceReserve(long bytes) {
            if (bytes < 0) {
                throw new IllegalArgumentException("freeSpaceReserve: must not be negative, was " + bytes);
            }
            this.freeSpaceReserve = bytes;
            return this;
        }

        /**
         * Checks the reserve on the file system holding {@code dir} too (it need not exist yet: its
         * nearest existing parent is asked): appends are refused while either has less free. For
         * what else writes beside the journal, the projections above all, so that the journal
         * stops taking events while they still have room to apply the ones it took.
         */
        public Builder reserveAlsoOn(Path dir) {
            this.reserveAlsoOn.add(Objects.requireNonNull(dir, "reserveAlsoOn: dir"));
            return this;
        }

        /**
         * Events after which the in-memory indexes are checkpointed, so a reopen scans only the tail.
         * Large checkpoints are spaced further: at least one event per 64 bytes of the last one.
         */
        public Builder checkpointInterval(long value) {
            if (value < 1_000) {
                throw new IllegalArgumentException("checkpointInterval: must be at least 1000, was " + value);
            }
            this.checkpointInterval = value;
            return this;
        }

        /** Recorded in every event this ledger appends; defaults to {@code pid@host}. */
        public Builder producerId(String value) {
            if (value == null || value.isBlank() || value.length() > 128) {
                throw new IllegalArgumentException("producerId: must be 1 to 128 characters");
            }
            this.producerId = value;
            return this;
        }

        /** The clock that stamps {@code recorded_at}; tests inject a fixed one. */
        public Builder clock(Clock value) {
            this.clock = Objects.requireNonNull(value, "clock");
            return this;
        }

        /** Registers the check run on every event of {@code type} before it is written. */
        public Builder validator(String type, EventValidator value) {
            validators.put(Objects.requireNonNull(type, "type"), Objects.requireNonNull(value, "validator"));
            return this;
        }

        /**
         * Registers the rule every append of {@code type} must meet (its stream, versions and
         * conditions), checked under the write lock after the type's validator: see {@link EventRule}.
         */
        public Builder rule(String type, EventRule value) {
            rules.put(Objects.requireNonNull(type, "type"), Objects.requireNonNull(value, "rule"));
            return this;
        }

        /**
         * Registers the personal fields of {@code type}: sealed with their subject's key after the
         * type's validator and rule accepted the event, before it is written. See {@link PersonalFields}.
         */
        public Builder personalFields(String type, PersonalFields value) {
            personalFields.put(Objects.requireNonNull(type, "type"), Objects.requireNonNull(value, "personalFields"));
            return this;
        }

        /**
         * Stream names beginning with {@code prefix} hold personal data after it (a reservation
         * {@code email-alice@example.com}): they are stored as the prefix and a keyed hash of the
         * rest (HMAC-SHA-256 with the ledger's secret, in hex), so the name outlives an erasure
         * without revealing it. Appends and reads name the stream in clear; the ledger hashes it.
         * A rest that is already 64 lower-case hex digits is taken as hashed.
         */
        public Builder personalStreams(String prefix) {
            if (prefix == null || prefix.isEmpty()) {
                throw new IllegalArgumentException("personalStreams: the prefix must not be empty");
            }
            if (!personalStreams.contains(prefix)) {
                personalStreams.add(prefix);
            }
            return this;
        }

        /** Drops every personal field and personal stream prefix: nothing is sealed or hashed (for copies and comparisons). */
        public Builder withoutPersonalData() {
            personalFields.clear();
            personalStreams.clear();
            return this;
        }

        /** Drops every registered rule: for copying or auditing journals written before them. */
        public Builder withoutRules() {
            rules.clear();
            return this;
        }

        public LedgerConfig build() {
            return new LedgerConfig(this);
        }

        private static int inRange(String name, int value, int min, int max) {
            if (value < min || value > max) {
                throw new IllegalArgumentException(name + ": must be between " + min + " and " + max + ", was " + value);
            }
            return value;
        }

        private static String defaultProducerId() {
            return ManagementFactory.getRuntimeMXBean().getName();
        }
    }
}
