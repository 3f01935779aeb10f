package dev.indelible.benchmarks;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalDouble;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;

/** throughput.png: appends per second against producer threads, the ledger beside every baseline. */
final class ThroughputChart {
    private ThroughputChart() {
    }

    static void write(Summary s, Path png) throws IOException {
        XYChart chart = new XYChartBuilder().width(1000).height(640).title("Appends per second (log scale)")
            .xAxisTitle("producer threads").yAxisTitle("appends/s").build();
        chart.getStyler().setYAxisLogarithmic(true);
        series(chart, s, "indelible (default)", "indelibleAppend", "durability=MEMORY_MAPPED", "batch=1");
        series(chart, s, "indelible (sync, blocking)", "indelibleAppend", "durability=SYNC", "batch=1");
        series(chart, s, "indelible async (sync, 1,024 in flight)", "indelibleAppendAsync", "inFlight=1024");
        series(chart, s, "raw Chronicle Queue", "rawChronicleAppend");
        series(chart, s, "RocksDB put", "rocksdbPut");
        series(chart, s, "RocksDB put + fsync", "rocksdbPutSync");
        series(chart, s, "PostgreSQL (sync commit)", "postgresInsert", "synchronousCommit=on");
        series(chart, s, "SQLite autocommit", "sqliteAutocommit");
        series(chart, s, "JSON read-modify-write (10k)", "jsonReadModifyWrite", "records=10000");
        BitmapEncoder.saveBitmap(chart, png.toString(), BitmapEncoder.BitmapFormat.PNG);
    }

    private static void series(XYChart chart, Summary s, String name, String method, String... params) {
        List<Double> x = new ArrayList<>();
        List<Double> y = new ArrayList<>();
        for (int t : new int[] {1, 2, 4, 8}) {
            OptionalDouble score = s.score(method, t, params);
            if (score.isPresent() && score.getAsDouble() > 0) {
                x.add((double) t);
                y.add(score.getAsDouble());
            }
        }
        if (!x.isEmpty()) {
            chart.addSeries(name, x, y);
        }
    }
}
