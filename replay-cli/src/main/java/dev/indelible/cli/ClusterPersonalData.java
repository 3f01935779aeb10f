package dev.indelible.cli;

import dev.indelible.ledger.Ledger;
import dev.indelible.ledger.PersonalData;
import dev.indelible.ledger.RecordedEvent;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;

/**
 * A cluster node's personal data of one partition: an erasure goes to the partition's writer as an
 * append does ({@link ClusterPartition#target}: this node's writer, or forwarded to the writer node),
 * so any node takes one; everything else is answered here, by this node's writer while it is the
 * writer, else by its reader, which follows the keys in the keys topic.
 *
 * <p>An erasure is safe to retry after a writer change (the forwarding answers 503 when the writer is
 * replaced before it answered): the new writer fenced the old one and read the keys topic to its end
 * before it writes, so an erasure the old one committed is answered as erased before (false), and one
 * it did not commit is done anew.
 *
 * <p>Thread-safe.
 */
final class ClusterPersonalData implements PersonalData {
    private final ClusterPartition partition;
    private final Ledger reads;

    ClusterPersonalData(ClusterPartition partition, Ledger reads) {
        this.partition = partition;
        this.reads = reads;
    }

    @Override
    public boolean erase(String subject, String detail, Map<String, String> figures) {
        return partition.target().erase(subject, detail, figures);
    }

    /** This node's: the writer's while it writes (it knows the keys it made first), else the reader's. */
    private PersonalData here() {
        Ledger writer = partition.writerOrNull();
        return writer != null ? writer.personalData() : reads.personalData();
    }

    @Override
    public String open(String field, String value) {
        return here().open(field, value);
    }

    @Override
    public RecordedEvent opened(RecordedEvent event) {
        return here().opened(event);
    }

    @Override
    public boolean isSealed(String value) {
        return here().isSealed(value);
    }

    @Override
    public String streamName(String stream) {
        return here().streamName(stream);
    }

    @Override
    public boolean isErased(String subject) {
        return here().isErased(subject);
    }

    @Override
    public RecordedEvent sealed(RecordedEvent event) {
        return here().sealed(event);
    }

    @Override
    public boolean hasKey(String subject) {
        return here().hasKey(subject);
    }

    @Override
    public Set<String> erasedSubjects() {
        return here().erasedSubjects();
    }

    @Override
    public Path keyStore() {
        return here().keyStore();
    }

    @Override
    public void copyKeyStore(Path dataDir) {
        here().copyKeyStore(dataDir);
    }
}
