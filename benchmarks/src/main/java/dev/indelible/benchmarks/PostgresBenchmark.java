package dev.indelible.benchmarks;

import java.nio.charset.StandardCharsets;
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
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * The accounts incident's fix: PostgreSQL over loopback JDBC, one insert per autocommit
 * transaction, with synchronous_commit on and off. The server is the one run.sh starts; its JDBC
 * URL comes in {@code -Dindelible.postgres.url}.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@State(Scope.Thread)
public class PostgresBenchmark {

    @Param({"on", "off"})
    public String synchronousCommit;

    private Connection connection;
    private PreparedStatement insert;
    private final String record = new String(Workload.RECORD, StandardCharsets.UTF_8);

    @Setup(Level.Trial)
    public void connect() throws SQLException {
        String url = System.getProperty("indelible.postgres.url");
        if (url == null) {
            throw new IllegalStateException("no PostgreSQL: run.sh passes -Dindelible.postgres.url when it started one");
        }
        connection = DriverManager.getConnection(url);
        try (Statement s = connection.createStatement()) {
            s.execute("CREATE TABLE IF NOT EXISTS account (id BIGSERIAL PRIMARY KEY, record TEXT NOT NULL)");
            s.execute("SET synchronous_commit = " + ("on".equals(synchronousCommit) ? "on" : "off"));
        }
        connection.setAutoCommit(true);
        insert = connection.prepareStatement("INSERT INTO account (record) VALUES (?)");
    }

    @TearDown(Level.Trial)
    public void close() throws SQLException {
        insert.close();
        connection.close();
    }

    @Benchmark
    public int postgresInsert() throws SQLException {
        insert.setString(1, record);
        return insert.executeUpdate();
    }
}
