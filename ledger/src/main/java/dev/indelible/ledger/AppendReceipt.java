package dev.indelible.ledger;

/**
 * A caller-owned, reusable record of what a blocking append did, for producers whose append path
 * must allocate nothing: {@link Ledger#append(String, long, EventData, AppendReceipt)} fills it in
 * place of returning a new {@link AppendResult} (Aeron's {@code BufferClaim} and Chronicle's
 * reused appenders are the same idea).
 *
 * <pre>{@code
 * AppendReceipt receipt = new AppendReceipt(); // one per producer thread
 * ledger.append(stream, ExpectedVersion.ANY, event, receipt);
 * if (!receipt.appended()) {
 *     handle(receipt.result()); // WrongExpectedVersion or EventIdConflict
 * }
 * }</pre>
 *
 * <p>Not thread-safe: one receipt per producer thread. Holds the last append's outcome until the
 * next append fills it.
 */
public final class AppendReceipt {
    private String stream;
    private long firstGlobalSeq = -1;
    private long firstStreamVersion = -1;
    private int count;
    private boolean duplicate;
    private AppendResult rejection;
    private boolean filled;

    /** Records an {@link AppendResult.Appended} outcome without building one. For ledger implementations. */
    public void fillAppended(String stream, long firstGlobalSeq, long firstStreamVersion, int count, boolean duplicate) {
        this.stream = stream;
        this.firstGlobalSeq = firstGlobalSeq;
        this.firstStreamVersion = firstStreamVersion;
        this.count = count;
        this.duplicate = duplicate;
        this.rejection = null;
        this.filled = true;
    }

    /** Records any outcome. For ledger implementations. */
    public void fill(AppendResult result) {
        if (result instanceof AppendResult.Appended a) {
            fillAppended(a.stream(), a.firstGlobalSeq(), a.firstStreamVersion(), a.count(), a.duplicate());
            return;
        }
        this.stream = null;
        this.firstGlobalSeq = -1;
        this.firstStreamVersion = -1;
        this.count = 0;
        this.duplicate = false;
        this.rejection = result;
        this.filled = true;
    }

    /** True when the events are in the journal (written now, or by the original of this retry). */
    public boolean appended() {
        requireFilled();
        return rejection == null;
    }

    /** True when this append was a retry answered from the journal: nothing was written. */
    public boolean duplicate() {
        return appended() && duplicate;
    }

    /** The appended stream; see {@link AppendResult.Appended}. */
    public String stream() {
        return appendedOnly().stream;
    }

    public long firstGlobalSeq() {
        return appendedOnly().firstGlobalSeq;
    }

    public long lastGlobalSeq() {
        return appendedOnly().firstGlobalSeq + count - 1;
    }

    public long firstStreamVersion() {
        return appendedOnly().firstStreamVersion;
    }

    public long lastStreamVersion() {
        return appendedOnly().firstStreamVersion + count - 1;
    }

    public int count() {
        return appendedOnly().count;
    }

    /** The outcome as an {@link AppendResult} value; allocates one for an appended outcome. */
    public AppendResult result() {
        return appended() ? new AppendResult.Appended(stream, firstGlobalSeq, firstStreamVersion, count, duplicate)
            : rejection;
    }

    private AppendReceipt appendedOnly() {
        if (!appended()) {
            throw new IllegalStateException("the append was refused, nothing was appended: " + rejection);
        }
        return this;
    }

    private void requireFilled() {
        if (!filled) {
            throw new IllegalStateException("no append has filled this receipt yet");
        }
    }

    @Override
    public String toString() {
        return filled ? result().toString() : "AppendReceipt[empty]";
    }
}
