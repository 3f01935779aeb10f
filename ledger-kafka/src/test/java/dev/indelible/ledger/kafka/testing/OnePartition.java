package dev.indelible.ledger.kafka.testing;

import dev.indelible.ledger.Ledger;
import dev.indelible.ledger.LedgerConfig;
import dev.indelible.ledger.kafka.PartitionedLedger;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.nio.file.Path;

/**
 * One partition's ledger of a 3-partition journal on the shared broker, with the other two
 * partitions' writers open beside it, as {@link PartitionedLedger} runs them: what the contract
 * suites run on per partition. Closing it closes the whole journal.
 */
public final class OnePartition {
    public static final int PARTITIONS = 3;

    private OnePartition() {
    }

    public static Ledger open(Path dataDir, LedgerConfig config, int partition) {
        PartitionedLedger all = PartitionedLedger.open(SharedKafka.partitionedJournalFor(dataDir, PARTITIONS, ""), dataDir, config);
        Ledger one = all.partition(partition);
        return (Ledger) Proxy.newProxyInstance(Ledger.class.getClassLoader(), new Class<?>[] {Ledger.class}, (proxy, method, args) -> {
            if (method.getName().equals("close") && method.getParameterCount() == 0) {
                all.close();
                return null;
            }
            try {
                return method.invoke(one, args);
            } catch (InvocationTargetException e) {
                throw e.getCause();
            }
        });
    }
}
