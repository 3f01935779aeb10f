package dev.indelible.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.indelible.ledger.testing.Bytes;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Crypto-shredding end to end through the CLI: erase, rebuild, backup, export, restore. */
class EraseCommandTest {
    private static final String[][] ACCOUNTS = {
        {"acc-1", "alice@example.com", "Alice Liddell"},
        {"acc-2", "bob@example.com", "Bobby Tables"},
        {"acc-3", "carol@example.com", "Carol Danvers"}};

    @TempDir
    Path tmp;
    private Path data;
    private Cli cli;

    @BeforeEach
    void registerThree() {
        data = tmp.resolve("data");
        cli = new Cli(data);
        for (String[] a : ACCOUNTS) {
            register(a[0], a[1], a[2]).expect(0);
        }
    }

    private Cli.Result register(String id, String email, String name) {
        return cli.run("append", "--stream", "email-" + email, "--type", "account.registered", "--expect", "new",
            "--json", "{\"account_id\": \"" + id + "\", \"email\": \"" + email + "\", \"display_name\": \"" + name + "\"}");
    }

    @Test
    void shouldLeaveTheErasedAccountNowhereAndTheOthersReadable() throws Exception {
        cli.run("replay", "--all").expect(0);
        cli.run("erase", "--subject", "account-acc-2").expect(0);
        String first = digest(cli.run("replay", "accounts", "--json").expect(0).out());
        String second = digest(cli.run("replay", "accounts", "--json").expect(0).out());
        assertEquals(first, second, "a rebuild after the erasure gives the same digest");
        cli.run("replay", "--all").expect(0);
        Path backup = tmp.resolve("backup");
        cli.run("backup", backup.toString()).expect(0);
        Path export = tmp.resolve("accounts.json");
        cli.run("export", "accounts", "--out", export.toString()).expect(0);

        List<Path> files = files(data, backup, export);
        for (String erased : new String[] {"bob@example.com", "Bobby Tables"}) {
            for (Path file : files) {
                assertFalse(contains(file, erased), erased + " is in " + file);
            }
        }
        String exported = Files.readString(export);
        assertTrue(exported.contains("alice@example.com") && exported.contains("Carol Danvers"), exported);
        assertTrue(exported.contains("\"[erased]\""), exported);
        String alice = cli.run("query", "accounts", "--email", "alice@example.com", "--json").expect(0).out();
        assertTrue(alice.contains("\"email\":\"alice@example.com\",\"display_name\":\"Alice Liddell\""), alice);
        String bob = cli.run("query", "accounts", "--email", "bob@example.com", "--json").expect(0).out();
        assertTrue(bob.contains("\"account_id\":\"acc-2\",\"email\":\"[erased]\",\"display_name\":\"[erased]\""), bob);
        String read = cli.run("read").expect(0).out();
        assertTrue(read.contains("\"email\":\"carol@example.com\"") && read.contains("\"email\":\"[erased]\""), read);
        assertTrue(read.contains("\"type\":\"ops.erase\""), read);

        register("acc-4", "bob@example.com", "Someone Else").expect(Main.CONFLICT);
        register("acc-2", "bob2@example.com", "Bob Again").expect(Main.USAGE);
        String verify = cli.run("verify").expect(0).out();
        assertTrue(verify.contains("1 subjects erased (account-acc-2)"), verify);
        cli.run("erase", "--subject", "account-acc-2").expect(0);
        cli.run("erase", "--subject", "account-nobody").expect(Main.USAGE);
    }

    @Test
    void shouldKeepTheSubjectErasedWhenABackupFromBeforeTheErasureIsRestored() {
        Path backup = tmp.resolve("backup");
        cli.run("backup", backup.toString()).expect(0);
        cli.run("erase", "--subject", "account-acc-2").expect(0);
        String restored = cli.run("restore", backup.toString(), "--move-aside").expect(0).out();
        assertTrue(restored.contains("erased again 1 subject(s)"), restored);
        String bob = cli.run("query", "accounts", "--id", "acc-2", "--json").expect(0).out();
        assertTrue(bob.contains("\"email\":\"[erased]\""), bob);
        String alice = cli.run("query", "accounts", "--id", "acc-1", "--json").expect(0).out();
        assertTrue(alice.contains("\"email\":\"alice@example.com\""), alice);
        assertTrue(cli.run("verify").expect(0).out().contains("(account-acc-2)"));
    }

    @Test
    void shouldReportADamagedKeyStoreNamingItAndAppendNothing() throws Exception {
        Path keys = data.resolve("keys/personal-data.keys");
        byte[] bytes = Files.readAllBytes(keys);
        bytes[bytes.length - 3] ^= 1;
        Files.write(keys, bytes);
        String verify = cli.run("verify").expect(Main.VERIFY_FAILED).out();
        assertTrue(verify.contains("FOUND  key store: the personal-data key store " + keys.toAbsolutePath().normalize())
            && verify.contains("checksum"), verify);
        Cli.Result refused = register("acc-9", "dave@example.com", "Dave");
        assertTrue(refused.code() != 0 && refused.err().contains(keys.toAbsolutePath().normalize().toString()), refused.err());
        Cli.Result serve = cli.run("serve", "--port", "0", "--grpc-port", "0", "--no-projections");
        assertTrue(serve.code() != 0 && serve.err().contains(keys.toAbsolutePath().normalize() + " has a record that fails"
            + " its checksum"), serve.err());
        Files.delete(keys);
        String missing = cli.run("verify").expect(Main.VERIFY_FAILED).out();
        assertTrue(missing.contains("is missing while the journal holds events"), missing);
        cli.assertJournal(3);
    }

    private static String digest(String replayJson) {
        Matcher m = Pattern.compile("\"new_digest\":\"([0-9a-f]+)\"").matcher(replayJson);
        assertTrue(m.find(), replayJson);
        return m.group(1);
    }

    private static List<Path> files(Path... roots) throws IOException {
        List<Path> files = new ArrayList<>();
        for (Path root : roots) {
            try (Stream<Path> walk = Files.walk(root)) {
                walk.filter(Files::isRegularFile).forEach(files::add);
            }
        }
        assertTrue(files.size() > 10, files.toString());
        return files;
    }

    private static boolean contains(Path file, String text) throws IOException {
        return Bytes.indexOf(Files.readAllBytes(file), text.getBytes(StandardCharsets.UTF_8)) >= 0;
    }
}
