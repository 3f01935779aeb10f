package dev.indelible.benchmarks;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * The selfies incident's store: one JSON array rewritten for every submission. The file is reset
 * to {@code records} entries before each iteration, so it does not grow during the measurement.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@State(Scope.Benchmark)
public class JsonFileBenchmark {
    private static final ObjectMapper JSON = new ObjectMapper();

    @Param({"1000", "10000"})
    public int records;

    private Path dir;
    private Path file;
    private Path lock;
    private byte[] initial;

    @Setup(Level.Trial)
    public void create() throws IOException {
        dir = Workload.tempDir("json");
        file = dir.resolve("selfie_checks.json");
        lock = dir.resolve("selfie_checks.json.lock");
        ArrayNode array = JSON.createArrayNode();
        for (int i = 0; i < records; i++) {
            array.add(JSON.readTree(Workload.RECORD));
        }
        initial = JSON.writeValueAsBytes(array);
    }

    @Setup(Level.Iteration)
    public void reset() throws IOException {
        Files.write(file, initial);
    }

    @TearDown(Level.Trial)
    public void delete() {
        Workload.delete(dir);
    }

    /** Read the whole array, add one, write it back in place: what lost submissions. */
    @Benchmark
    public void jsonReadModifyWrite() throws IOException {
        ArrayNode array = (ArrayNode) JSON.readTree(Files.readAllBytes(file));
        array.add(JSON.readTree(Workload.RECORD));
        Files.write(file, JSON.writeValueAsBytes(array));
    }

    /** The incident's proposed fix: lock file, read, append, write a temp file, fsync, atomic rename. */
    @Benchmark
    public void jsonLockedAtomic() throws IOException {
        try (FileChannel channel = FileChannel.open(lock, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
             FileLock held = channel.lock()) {
            ArrayNode array = (ArrayNode) JSON.readTree(Files.readAllBytes(file));
            array.add(JSON.readTree(Workload.RECORD));
            Path temp = dir.resolve("selfie_checks.json.tmp");
            try (FileChannel out = FileChannel.open(temp, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                    StandardOpenOption.TRUNCATE_EXISTING)) {
                out.write(ByteBuffer.wrap(JSON.writeValueAsBytes(array)));
                out.force(false);
            }
            Files.move(temp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        }
    }
}
