package dev.indelible.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.indelible.ledger.AppendResult;
import dev.indelible.ledger.ExpectedVersion;
import dev.indelible.ledger.Ledger;
import dev.indelible.ledger.LedgerConfig;
import dev.indelible.ledger.RecordedEvent;
import dev.indelible.projections.proto.AccountRegistered;
import dev.indelible.projections.reference.DomainEvents;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** export-journal --encrypt-personal-data: a journal written in clear, migrated and compared event for event. */
class PersonalDataMigrationTest {
    @TempDir
    Path tmp;

    @Test
    void shouldSealPersonalFieldsAndReKeyReservationsKeepingEverythingElse() throws Exception {
        Path old = tmp.resolve("old");
        LedgerConfig inClear = DomainEvents.register(LedgerConfig.builder()).withoutPersonalData().build();
        try (Ledger ledger = Ledger.open(old, inClear)) {
            for (String name : List.of("ann", "ben")) {
                assertInstanceOf(AppendResult.Appended.class, ledger.append("email-" + name + "@example.com",
                    ExpectedVersion.NO_STREAM, DomainEvents.event(DomainEvents.ACCOUNT_REGISTERED, AccountRegistered.newBuilder()
                        .setAccountId("acc-" + name).setEmail(name + "@example.com").setDisplayName(name.toUpperCase()).build())));
            }
            ledger.append("selfies-user-7", ExpectedVersion.ANY, DomainEvents.fromJson("selfie.submitted",
                AppendCommandTest.SELFIE));
        }
        Files.walk(old.resolve("keys")).sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());

        Path migrated = tmp.resolve("new");
        Cli cli = new Cli(old);
        String out = cli.run("export-journal", "--to", migrated.toString(), "--encrypt-personal-data").expect(0).out();
        assertTrue(out.contains("copied 3 events") && out.contains("2 with personal data sealed") && out.contains("destroy"), out);

        try (Ledger source = Ledger.open(old, inClear);
             Ledger copy = Ledger.open(migrated, DomainEvents.register(LedgerConfig.builder()).build())) {
            List<RecordedEvent> before = source.read(0, 10);
            List<RecordedEvent> after = copy.read(0, 10);
            assertEquals(3, after.size());
            for (int i = 0; i < 2; i++) {
                RecordedEvent b = before.get(i);
                RecordedEvent a = after.get(i);
                assertEquals(List.of(b.globalSeq(), b.streamVersion(), b.recordedAtMicros()),
                    List.of(a.globalSeq(), a.streamVersion(), a.recordedAtMicros()));
                assertEquals(List.of(b.eventId(), b.type(), b.producerId()), List.of(a.eventId(), a.type(), a.producerId()));
                assertEquals(copy.personalData().streamName(b.stream()), a.stream());
                assertTrue(a.stream().matches("email-[0-9a-f]{64}"), a.stream());
                AccountRegistered clear = AccountRegistered.parseFrom(b.payload());
                AccountRegistered sealed = AccountRegistered.parseFrom(a.payload());
                assertEquals(clear.getAccountId(), sealed.getAccountId());
                assertTrue(copy.personalData().isSealed(sealed.getEmail()), sealed.getEmail());
                assertEquals(clear.getEmail(), copy.personalData().open("email", sealed.getEmail()));
                assertEquals(clear.getDisplayName(), copy.personalData().open("display_name", sealed.getDisplayName()));
                assertFalse(new String(a.payload(), StandardCharsets.UTF_8).contains(clear.getEmail()));
            }
            assertEquals(before.get(2).stream(), after.get(2).stream());
            assertArrayEquals(before.get(2).payload(), after.get(2).payload(), "an event without personal data is copied as it is");
        }
        Cli onCopy = new Cli(migrated);
        assertTrue(onCopy.run("query", "accounts", "--email", "ben@example.com", "--json").expect(0).out()
            .contains("\"display_name\":\"BEN\""));
        onCopy.run("append", "--stream", "email-ben@example.com", "--type", "account.registered", "--expect", "new",
            "--json", "{\"account_id\": \"acc-x\", \"email\": \"ben@example.com\"}").expect(Main.CONFLICT);
        cli.run("export-journal", "--to", tmp.resolve("again").toString(), "--encrypt-personal-data")
            .expect(0);
        new Cli(migrated).run("export-journal", "--to", tmp.resolve("twice").toString(), "--encrypt-personal-data")
            .expect(Main.USAGE);
    }
}
