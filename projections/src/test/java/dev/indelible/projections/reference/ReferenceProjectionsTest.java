package dev.indelible.projections.reference;

import dev.indelible.ledger.AppendResult;
import dev.indelible.ledger.EventData;
import dev.indelible.ledger.ExpectedVersion;
import dev.indelible.ledger.Ledger;
import dev.indelible.ledger.LedgerConfig;
import dev.indelible.projections.ProjectionEngine;
import dev.indelible.projections.proto.MemberJoined;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The reference projections and the client API together, through a real ledger and engine. */
class ReferenceProjectionsTest {

    private static final Instant T0 = Instant.parse("2026-11-25T00:00:00Z");

    @TempDir
    Path data;
    private Ledger ledger;
    private ProjectionEngine engine;

    @BeforeEach
    void start() {
        ledger = Ledger.open(data, DomainEvents.register(LedgerConfig.builder()).build());
        engine = ProjectionEngine.start(ledger, data.resolve("projections"), ReferenceProjections.all());
    }

    @AfterEach
    void stop() {
        engine.close();
        ledger.close();
    }

    @Test
    void shouldListAUsersSelfiesInATimeRangeAndCountThem() {
        Selfies selfies = new Selfies(ledger);
        for (int i = 0; i < 10; i++) {
            selfies.submit(7, "photo", "f" + i, T0.plusSeconds(i * 60L));
        }
        selfies.submit(8, "video", "g", T0);
        assertInstanceOf(Selfies.Submitted.class, selfies.submit(7, "photo", "f3", T0.plusSeconds(180)));
        caughtUp();
        SelfiesQueries q = new SelfiesQueries(engine);
        List<SelfiesQueries.Selfie> range = q.byUser(7, T0.plusSeconds(120), T0.plusSeconds(300));
        assertEquals(List.of("f2", "f3", "f4"), range.stream().map(SelfiesQueries.Selfie::fileId).toList());
        assertEquals(10, q.countFor(7), "the resubmitted file was a retry, not a new selfie");
        assertEquals(1, q.countFor(8));
        assertEquals(11, q.total());
    }

    @Test
    void shouldFindAccountsByEmailAndIdAndFollowChanges() {
        AccountsQueries queries = new AccountsQueries(engine, ledger);
        Accounts accounts = new Accounts(ledger, queries);
        Accounts.Done alice = (Accounts.Done) accounts.register(" Alice@Example.com", "Alice");
        assertEquals(new Accounts.EmailTaken("alice@example.com"), accounts.register("alice@example.COM", "Mallory"));
        accounts.register("bob@example.com", "Bob");
        assertInstanceOf(Accounts.Done.class, accounts.changeEmail(alice.accountId(), "alice@new.example"));
        assertEquals(new Accounts.EmailTaken("bob@example.com"), accounts.changeEmail(alice.accountId(), "bob@example.com"));
        assertInstanceOf(Accounts.Done.class, accounts.close(alice.accountId()));
        assertEquals(new Accounts.Closed(alice.accountId()), accounts.close(alice.accountId()));
        assertEquals(new Accounts.UnknownAccount("nobody"), accounts.close("nobody"));
        caughtUp();
        AccountsQueries.Account account = queries.byEmail("ALICE@new.example").orElseThrow();
        assertEquals(alice.accountId(), account.accountId());
        assertTrue(account.closed());
        assertTrue(queries.byEmail("alice@example.com").isEmpty(), "the old address no longer finds the account");
        assertEquals(2, queries.count());
        assertEquals(List.of(), queries.anomalies());
    }

    @Test
    void shouldRejectOrphansAndReportNone() {
        Community community = new Community(ledger);
        assertEquals(new Community.UnknownMember("ghost"), community.join("newbie", "Ghost"));
        assertEquals(new Community.UnknownMember("ghost"), community.submitPrayer("ghost", "for rain"));
        long head = ledger.head();
        assertInstanceOf(Community.Done.class, community.join("Max", null));
        assertEquals(new Community.UsernameTaken("max"), community.join("max", ""));
        assertInstanceOf(Community.Done.class, community.join("ann", "MAX"));
        assertInstanceOf(Community.Done.class, community.join("bea", "ann"));
        assertEquals(new Community.UnknownPrayer("no-such-prayer"), community.markPrayed("no-such-prayer", "ann"));
        String prayer = ((Community.Done) community.submitPrayer("bea", "for the harvest")).id();
        assertEquals(new Community.UnknownMember("ghost"), community.markPrayed(prayer, "ghost"));
        assertInstanceOf(Community.Done.class, community.markPrayed(prayer, "max"));
        assertEquals(head + 5, ledger.head(), "only the five accepted calls appended");
        caughtUp();
        CommunityQueries q = new CommunityQueries(engine);
        assertEquals(2, q.member("BEA").orElseThrow().depth());
        assertEquals(List.of("bea", "ann", "max"), q.inviteChain("bea").stream().map(CommunityQueries.Member::username).toList());
        assertEquals(List.of("ann"), q.invitees("max"));
        assertEquals(List.of("for the harvest"), q.prayersBy("bea").stream().map(CommunityQueries.Prayer::text).toList());
        assertEquals(List.of("max"), q.marks(prayer).stream().map(CommunityQueries.Mark::username).toList());
        assertEquals(List.of(), q.integrityReport());
    }

    @Test
    void shouldRefuseAnOrphanAppendedAroundTheClient() {
        EventData orphan = DomainEvents.event(DomainEvents.MEMBER_JOINED,
                MemberJoined.newBuilder().setUsername("zed").setInvitedBy("nobody").build());
        assertInstanceOf(AppendResult.RuleViolated.class, ledger.append("member-zed", ExpectedVersion.NO_STREAM, orphan));
        caughtUp();
        assertEquals(List.of(), new CommunityQueries(engine).integrityReport());
        assertEquals(0, ledger.head());
    }

    @Test
    void shouldReportAnOrphanInAJournalWrittenWithoutTheRules() {
        stop();
        ledger = Ledger.open(data, DomainEvents.register(LedgerConfig.builder()).withoutRules().build());
        engine = ProjectionEngine.start(ledger, data.resolve("projections"), ReferenceProjections.all());
        ledger.append("member-zed", ExpectedVersion.NO_STREAM, DomainEvents.event(DomainEvents.MEMBER_JOINED,
                MemberJoined.newBuilder().setUsername("zed").setInvitedBy("nobody").build()));
        caughtUp();
        assertEquals(List.of("member.joined zed: inviter nobody is not a member"), new CommunityQueries(engine).integrityReport());
    }

    @Test
    void shouldExportResultsJsonByteIdenticallyWithSortedKeys() {
        Videos videos = new Videos(ledger);
        videos.recordProcessed("v2", "https://example.com/2", "Second", "{\"score\": 5, \"tags\": [\"b\", \"a\"]}");
        videos.recordProcessed("v1", "https://example.com/1", "First", "{\"z\": {\"y\": 1.5, \"x\": true}}");
        videos.recordProcessed("v3", "https://example.com/3", "Third", "{}");
        assertEquals(new Videos.UnknownVideo("v9"), videos.remove("v9"));
        videos.remove("v3");
        caughtUp();
        VideosQueries q = new VideosQueries(engine);
        String json = new String(q.exportResultsJson(), StandardCharsets.UTF_8);
        assertEquals("""
                {
                  "v1": {
                    "title": "First",
                    "url": "https://example.com/1",
                    "z": {
                      "x": true,
                      "y": 1.5
                    }
                  },
                  "v2": {
                    "score": 5,
                    "tags": [
                      "b",
                      "a"
                    ],
                    "title": "Second",
                    "url": "https://example.com/2"
                  }
                }
                """, json);
        assertArrayEquals(q.exportResultsJson(), Base64.getDecoder().decode(q.exportResultsJsonBase64()));
        assertEquals(2, q.count());
        assertEquals("Second", q.latest("v2").orElseThrow().title());
        engine.rebuild(VideosProjection.NAME);
        assertArrayEquals(json.getBytes(StandardCharsets.UTF_8), q.exportResultsJson(), "a rebuild exports the same bytes");
    }

    @Test
    void shouldCountAndListMessagesByProjectChannelAndUser() {
        Messages messages = new Messages(ledger);
        for (int i = 0; i < 30; i++) {
            messages.post("m" + i, i % 3 == 0 ? "alpha" : "beta", "ch" + i % 2, "u" + i % 5, T0.plusSeconds(i));
        }
        assertEquals(new Messages.Posted(0, true), messages.post("m0", "alpha", "ch0", "u0", T0));
        caughtUp();
        MessagesQueries q = new MessagesQueries(engine);
        assertEquals(10, q.countByProject("alpha"));
        assertEquals(20, q.countByProject("beta"));
        assertEquals(5, q.countByChannel("alpha", "ch0"));
        assertEquals(6, q.countByUser("u1"));
        assertEquals(30, q.total());
        assertEquals(List.of("m0", "m3", "m6"), q.byProject("alpha", 3).stream().map(MessagesQueries.Message::messageId).toList());
        assertEquals(List.of("m1", "m6"), q.byUser("u1", 2).stream().map(MessagesQueries.Message::messageId).toList());
    }

    private void caughtUp() {
        assertTrue(engine.awaitCaughtUp(Duration.ofSeconds(30)));
    }
}
