package dev.indelible.benchmarks;

import dev.indelible.ledger.EventData;
import dev.indelible.ledger.ExpectedVersion;
import dev.indelible.ledger.Ledger;
import dev.indelible.ledger.LedgerConfig;
import dev.indelible.projections.proto.AccountRegistered;
import dev.indelible.projections.proto.MemberJoined;
import dev.indelible.projections.proto.MessagePosted;
import dev.indelible.projections.proto.SelfieSubmitted;
import dev.indelible.projections.proto.VideoProcessed;
import dev.indelible.projections.reference.DomainEvents;
import com.google.protobuf.Timestamp;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * Journals the read-side benchmarks share, built once per machine and reused (they are only read):
 * a mix of the five domains, or plain records. A journal is complete when its {@code .done} marker
 * exists; a half-built one is rebuilt.
 */
final class Journals {
    private Journals() {
    }

    /** A journal of {@code events} mixed domain events, deterministic for a given size. */
    static Path mixed(long events) {
        // v2: written with sealed personal fields and a key store beside the journal.
        return cached("mixed-v2-" + events, dir -> {
            Random random = new Random(events);
            try (Ledger ledger = Ledger.open(dir, DomainEvents.register(LedgerConfig.builder()).build())) {
                for (long i = 0; i < events; i++) {
                    appendMixed(ledger, random, i);
                }
            }
        });
    }

    /** A journal of {@code events} account registrations, their personal fields sealed or (not {@code sealed}) in clear. */
    static Path accounts(long events, boolean sealed) {
        return cached("accounts-" + (sealed ? "sealed-" : "clear-") + events, dir -> {
            try (Ledger ledger = Ledger.open(dir, accountsConfig(sealed))) {
                for (long i = 0; i < events; i++) {
                    ledger.append("email-user" + i + "@example.com", ExpectedVersion.NO_STREAM, registration(i));
                }
            }
        });
    }

    /** The domain's validators and rules, with or without its personal fields and reservation hashing. */
    static LedgerConfig accountsConfig(boolean sealed) {
        LedgerConfig.Builder builder = DomainEvents.register(LedgerConfig.builder());
        return (sealed ? builder : builder.withoutPersonalData()).build();
    }

    /** Account {@code i}'s registration, with a fresh event id. */
    static EventData registration(long i) {
        return DomainEvents.event(DomainEvents.ACCOUNT_REGISTERED, AccountRegistered.newBuilder().setAccountId("a" + i)
            .setEmail("user" + i + "@example.com").setDisplayName("User " + i).build());
    }

    /** A journal of {@code events} plain 128-byte records, appended 100 per call. */
    static Path plain(long events) {
        return cached("plain-" + events, dir -> {
            try (Ledger ledger = Ledger.open(dir, LedgerConfig.defaults())) {
                List<EventData> batch = new ArrayList<>(100);
                for (long i = 0; i < events; i += 100) {
                    batch.clear();
                    for (int j = 0; j < Math.min(100, events - i); j++) {
                        batch.add(EventData.json("selfie.recorded", Workload.RECORD));
                    }
                    ledger.append("selfies-user-" + i % 1000, ExpectedVersion.ANY, batch);
                }
            }
        });
    }

    private static void appendMixed(Ledger ledger, Random random, long i) {
        Timestamp at = Timestamp.newBuilder().setSeconds(1_762_258_020L + i).build();
        int dice = random.nextInt(100);
        if (dice < 40) {
            long user = 1 + random.nextInt(5_000);
            ledger.append("selfies-user-" + user, ExpectedVersion.ANY, DomainEvents.event(DomainEvents.SELFIE_SUBMITTED,
                SelfieSubmitted.newBuilder().setUserId(user).setMediaType("photo").setFileId("f" + i).setSubmittedAt(at).build()));
        } else if (dice < 80) {
            String project = "p" + random.nextInt(10);
            ledger.append("messages-" + project, ExpectedVersion.ANY, DomainEvents.event(DomainEvents.MESSAGE_POSTED,
                MessagePosted.newBuilder().setMessageId("m" + i).setProject(project).setChannel("c" + random.nextInt(50))
                    .setUser("u" + random.nextInt(1_000)).setPostedAt(at).build()));
        } else if (dice < 88) {
            ledger.append("email-user" + i + "@example.com", ExpectedVersion.NO_STREAM, DomainEvents.event(
                DomainEvents.ACCOUNT_REGISTERED, AccountRegistered.newBuilder().setAccountId("a" + i)
                    .setEmail("user" + i + "@example.com").setDisplayName("User " + i).build()));
        } else if (dice < 94) {
            String inviter = i > 100 ? "member" + (i - 1 - random.nextInt(100)) : "";
            ledger.append("member-member" + i, ExpectedVersion.NO_STREAM, DomainEvents.event(DomainEvents.MEMBER_JOINED,
                MemberJoined.newBuilder().setUsername("member" + i).setInvitedBy(inviter).build()));
        } else {
            String video = "v" + random.nextInt(20_000);
            ledger.append("video-" + video, ExpectedVersion.ANY, DomainEvents.event(DomainEvents.VIDEO_PROCESSED,
                VideoProcessed.newBuilder().setVideoId(video).setUrl("https://example.com/" + video).setTitle("T" + i).build()));
        }
    }

    private static Path cached(String name, Builder builder) {
        Path base = Path.of(System.getProperty("indelible.bench.dir", System.getProperty("java.io.tmpdir")), "indelible-bench-journals");
        Path dir = base.resolve(name);
        Path done = base.resolve(name + ".done");
        try {
            if (Files.exists(done)) {
                return dir;
            }
            Workload.delete(dir);
            Files.createDirectories(base);
            builder.build(dir);
            Files.createFile(done);
            return dir;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @FunctionalInterface
    private interface Builder {
        void build(Path dir) throws IOException;
    }
}
