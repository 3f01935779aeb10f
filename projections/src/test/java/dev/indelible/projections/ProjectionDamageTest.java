package dev.indelible.projections;

import dev.indelible.ledger.EventData;
import dev.indelible.ledger.ExpectedVersion;
import dev.indelible.ledger.Ledger;
import dev.indelible.ledger.LedgerConfig;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A live projection whose files are damaged is quarantined, never deleted, and rebuilt to the same digest. */
class ProjectionDamageTest {

    @TempDir
    Path data;
    private Ledger ledger;
    private Path projections;

    @BeforeEach
    void openLedger() {
        ledger = Ledger.open(data, LedgerConfig.defaults());
        projections = data.resolve("projections");
        for (int i = 0; i < 20_000; i++) {
            ledger.append("s-" + i % 97, ExpectedVersion.ANY,
                    EventData.json("test.counted", ("{\"i\":" + i + "}").getBytes(StandardCharsets.UTF_8)));
        }
    }

    @AfterEach
    void closeLedger() {
        ledger.close();
    }

    @Test
    void shouldQuarantineAndRebuildAProjectionWithAGarbledTableFile() throws IOException {
        String digest = liveDigestThenClose();
        Path sst = largestTableFile(liveVersion());
        byte[] original = Files.readAllBytes(sst);
        garble(sst);
        assertDamageRepaired(digest, sst.getFileName().toString(), original);
    }

    @Test
    void shouldQuarantineAndRebuildAProjectionWithADeletedTableFile() throws IOException {
        String digest = liveDigestThenClose();
        Path sst = largestTableFile(liveVersion());
        Files.delete(sst);
        assertDamageRepaired(digest, null, null);
    }

    @Test
    void shouldFindDamageWhileRunningWithAScrubAndRebuildWithoutARestart() throws IOException {
        try (ProjectionEngine engine = start()) {
            assertTrue(engine.awaitCaughtUp(Duration.ofSeconds(30)));
            String digest = engine.digest("counts");
            ScrubResult sound = engine.scrub("counts");
            assertFalse(sound.damaged(), sound.detail());
            garble(largestTableFile(liveVersion()));
            ScrubResult found = engine.scrub("counts");
            assertTrue(found.damaged());
            assertTrue(found.detail().contains("quarantine"), found.detail());
            assertNotEquals(found.checkedVersion(), found.liveVersion());
            assertEquals(found.liveVersion(), engine.status("counts").liveVersion());
            assertEquals(digest, engine.digest("counts"));
            ledger.append("s-1", ExpectedVersion.ANY, EventData.json("test.counted", "{}".getBytes(StandardCharsets.UTF_8)));
            assertTrue(engine.awaitCaughtUp(Duration.ofSeconds(30)), "the rebuilt version follows the journal");
            assertEquals(20_001L, engine.read("counts", CountingProjection::total));
            ProjectionVersions onDisk = engine.versions("counts");
            assertEquals(found.liveVersion(), onDisk.live());
            assertEquals(List.of(found.liveVersion()), onDisk.versions().stream().map(ProjectionVersions.Version::name).toList());
            assertEquals(engine.status("counts").position(), onDisk.versions().get(0).checkpoint());
            ProjectionVersions.Quarantined damaged = onDisk.quarantined().get(0);
            assertTrue(damaged.name().startsWith(found.checkedVersion() + "-") && damaged.files() > 0 && damaged.bytes() > 0,
                damaged.toString());
        }
        assertEquals(1, quarantined().size());
    }

    @Test
    void shouldNotQuarantineAProjectionThatIsMerelyOpenElsewhere() {
        try (ProjectionEngine first = start()) {
            ProjectionException refused = org.junit.jupiter.api.Assertions.assertThrows(ProjectionException.class, this::start);
            assertTrue(refused.getMessage().contains("open in another process"), refused.getMessage());
            assertEquals(List.of(), quarantined());
        }
    }

    private void assertDamageRepaired(String digest, String garbledName, byte[] original) throws IOException {
        String damagedVersion = liveVersion().getFileName().toString();
        try (ProjectionEngine engine = start()) {
            assertEquals(digest, engine.digest("counts"));
            assertNotEquals(damagedVersion, engine.status("counts").liveVersion());
            assertEquals(20_000L, engine.read("counts", CountingProjection::total));
        }
        assertEquals("ops.quarantine", ledger.readStream("ops-projection-counts", 0, 1).get(0).type());
        List<Path> quarantined = quarantined();
        assertEquals(1, quarantined.size());
        assertTrue(quarantined.get(0).getFileName().toString().startsWith(damagedVersion + "-"), quarantined.toString());
        if (garbledName != null) {
            Path kept = quarantined.get(0).resolve(garbledName);
            assertTrue(Files.exists(kept), "the damaged file is kept for inspection");
            assertFalse(java.util.Arrays.equals(original, Files.readAllBytes(kept)));
        }
    }

    private String liveDigestThenClose() {
        try (ProjectionEngine engine = start()) {
            assertTrue(engine.awaitCaughtUp(Duration.ofSeconds(30)));
            return engine.digest("counts");
        }
    }

    private ProjectionEngine start() {
        return ProjectionEngine.start(ledger, projections, List.of(new CountingProjection("counts")));
    }

    private Path liveVersion() throws IOException {
        Path dir = projections.resolve("counts");
        return dir.resolve(Files.readString(dir.resolve("CURRENT")).strip());
    }

    private static Path largestTableFile(Path version) throws IOException {
        try (Stream<Path> files = Files.list(version)) {
            List<Path> tables = files.filter(p -> p.toString().endsWith(".sst"))
                    .sorted(java.util.Comparator.comparingLong(ProjectionDamageTest::size)).toList();
            assertFalse(tables.isEmpty(), "the built version has table files");
            return tables.get(tables.size() - 1);
        }
    }

    private static long size(Path file) {
        try {
            return Files.size(file);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static void garble(Path file) throws IOException {
        try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "rw")) {
            long at = raf.length() / 3;
            raf.seek(at);
            byte[] junk = new byte[64];
            raf.readFully(junk);
            for (int i = 0; i < junk.length; i++) {
                junk[i] = (byte) ~junk[i];
            }
            raf.seek(at);
            raf.write(junk);
        }
    }

    private List<Path> quarantined() {
        try (Stream<Path> entries = Files.list(projections.resolve("counts").resolve("quarantine"))) {
            return entries.toList();
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
