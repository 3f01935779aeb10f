package dev.indelible.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.indelible.projections.EngineConfig;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** --free-space-reserve: parsed, applied to the journal and the projections' file system, and named when it refuses. */
class FreeSpaceReserveOptionTest {
    private static final String EVENT = "{\"message_id\": \"m1\", \"project\": \"p\", \"channel\": \"c\", \"user\": \"u\","
        + " \"posted_at\": \"2026-11-25T01:00:00Z\"}";

    @TempDir
    Path data;

    @Test
    void shouldRefuseAnAppendWhenTheReserveIsMoreThanTheDiskHasAndSaySo() {
        Cli cli = new Cli(data);
        cli.run("append", "--stream", "messages-p", "--type", "message.posted", "--json", EVENT).expect(0);
        Cli.Result refused = cli.run("append", "--free-space-reserve", "1000000G", "--stream", "messages-p",
            "--type", "message.posted", "--json", EVENT).expect(Main.VERIFY_FAILED);
        assertTrue(refused.err().contains((1_000_000L << 30) + " kept free"), refused.err());
        assertTrue(refused.err().contains("--free-space-reserve or $INDELIBLE_FREE_SPACE_RESERVE"), refused.err());
        cli.assertJournal(1);
    }

    @Test
    void shouldRefuseASizeThatIsNotOneNamingTheOption() {
        Cli.Result r = new Cli(data).run("append", "--free-space-reserve", "lots", "--stream", "messages-p",
            "--type", "message.posted", "--json", EVENT).expect(Main.USAGE);
        assertTrue(r.err().contains("--free-space-reserve: a size is bytes or a whole number of K, M or G"), r.err());
    }

    @Test
    void shouldParseSizesAndDefaultToRoomForTheReferenceProjections() {
        assertEquals(704L << 20, Sizes.parse("f", "704M"));
        assertEquals(2L << 30, Sizes.parse("f", "2g"));
        assertEquals(512L << 10, Sizes.parse("f", "512KB"));
        assertEquals(123, Sizes.parse("f", "123"));
        assertThrows(IllegalArgumentException.class, () -> Sizes.parse("f", "-1M"));
        assertThrows(IllegalArgumentException.class, () -> Sizes.parse("f", "999999999999999G"));
        assertEquals(704L << 20, EngineConfig.freeSpaceReserveFor(ProjectionNames.all().size()), "the documented default");
    }
}
