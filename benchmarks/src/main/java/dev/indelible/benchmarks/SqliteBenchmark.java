package dev.indelible.benchmarks;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * The selfies incident's "best solution": SQLite through org.xerial sqlite-jdbc, WAL journal,
 * synchronous=NORMAL; one insert per transaction, and 100 per transaction. Scores are inserts/s.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@State(Scope.Thread)
public class SqliteBenchmark {
    private Path dir;
    private Connection connection;
    private PreparedStatement insert;
    private final String record = new String(Workload.RECORD, StandardCharsets.UTF_8);

    @Setup(Level.Trial)
    public void open() throws SQLException {
        dir = Workload.tempDir("sqlite");
        connection = DriverManager.getConnection("jdbc:sqlite:" + dir.resolve("selfies.db"));
        try (Statement s = connection.createStatement()) {
            s.execute("PRAGMA journal_mode=WAL");
            s.execute("PRAGMA synchronous=NORMAL");
            s.execute("CREATE TABLE selfie (id INTEGER PRIMARY KEY, record TEXT NOT NULL)");
        }
        insert = connection.prepareStatement("INSERT INTO selfie (record) VALUES (?)");
    }

    @TearDown(Level.Trial)
    public void close() throws SQLException {
        insert.close();
        connection.close();
        Workload.delete(dir);
    }

    @Benchmark
    public int sqliteAutocommit() throws SQLException {
        connection.setAutoCommit(true);
        insert.setString(1, record);
        return insert.executeUpdate();
    }

    /** 100 inserts in one transaction; the score counts transactions (x100 for rows). */
    @Benchmark
    public int sqliteBatch100() throws SQLException {
        connection.setAutoCommit(false);
        for (int i = 0; i < 100; i++) {
            insert.setString(1, record);
            insert.addBatch();
        }
        int[] rows = insert.executeBatch();
        connection.commit();
        return rows.length;
    }
}
