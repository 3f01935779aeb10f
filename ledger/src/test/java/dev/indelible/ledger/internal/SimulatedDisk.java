package dev.indelible.ledger.internal;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.BitSet;
import java.util.List;
import java.util.Random;

/**
 * A disk under a page cache, one record per address, with faults drawn from one seeded random in
 * the order the journal calls it, so a seed replays exactly. Processes read the cache; the device
 * holds what was written back. Writeback happens on sync, and at random moments in any order,
 * sometimes only part of a record (torn). A write can fail (nothing written). A sync can fail
 * (EIO): some pages reach the device, whole or torn, the rest are marked clean without being
 * written ("fsyncgate") and stay readable only until the process ends. A power cut keeps what the
 * device holds plus a random part of what was dirty, torn or whole, in any order.
 *
 * <p>Where a record is missing (never written back), Chronicle readers stop, and the ledger's open
 * cuts what lies after it (see {@code TornTail.incompleteEnd}); the disk models that cut when a
 * process starts. A torn record that the ledger's open reports is cut through {@link #cutFrom}.
 *
 * <p>Thread-safe (one monitor).
 */
final class SimulatedDisk {
    /** What happened, over every seed. */
    static final class Stats {
        long writes;
        long writeErrors;
        long syncs;
        long syncErrors;
        long writebacks;
        long tornOnDevice;
        long lostAtPowerCut;
        long cutAfterHole;
    }

    private final Random random;
    private final Stats stats;
    private final List<byte[]> cache = new ArrayList<>();
    private final List<byte[]> device = new ArrayList<>();
    private final BitSet dirty = new BitSet();
    private final BitSet forgotten = new BitSet();

    SimulatedDisk(Random random, Stats stats) {
        this.random = random;
        this.stats = stats;
    }

    synchronized int size() {
        return cache.size();
    }

    /** The record at {@code address} as a process reads it. */
    synchronized byte[] read(int address) {
        return cache.get(address);
    }

    synchronized long write(byte[] record) throws IOException {
        if (random.nextInt(200) == 0) {
            stats.writeErrors++;
            throw new IOException("simulated write error (ENOSPC): nothing written");
        }
        stats.writes++;
        cache.add(record);
        device.add(null);
        dirty.set(cache.size() - 1);
        if (random.nextInt(8) == 0) {
            writeBack(randomDirty());
        }
        return cache.size() - 1L;
    }

    /** Forces every dirty record to the device, or fails as a disk does. */
    synchronized void sync() throws IOException {
        stats.syncs++;
        if (random.nextInt(100) == 0) {
            stats.syncErrors++;
            for (int i = dirty.nextSetBit(0); i >= 0; i = dirty.nextSetBit(i + 1)) {
                int fate = random.nextInt(3);
                if (fate == 0) {
                    device.set(i, cache.get(i));
                } else {
                    if (fate == 1) {
                        device.set(i, torn(cache.get(i)));
                    }
                    forgotten.set(i);
                }
            }
            dirty.clear();
            throw new IOException("simulated EIO from fdatasync");
        }
        for (int i = dirty.nextSetBit(0); i >= 0; i = dirty.nextSetBit(i + 1)) {
            device.set(i, cache.get(i));
        }
        dirty.clear();
    }

    /** The process ended (crash or close): the kernel keeps its dirty pages, not those it forgot. */
    synchronized void processEnded() {
        for (int i = forgotten.nextSetBit(0); i >= 0; i = forgotten.nextSetBit(i + 1)) {
            cache.set(i, device.get(i));
        }
        forgotten.clear();
        cutAfterHole();
    }

    /** Power lost: the device keeps what it has, plus a random part of what was dirty. */
    synchronized void powerCut() {
        for (int i = dirty.nextSetBit(0); i >= 0; i = dirty.nextSetBit(i + 1)) {
            int fate = random.nextInt(3);
            if (fate == 0) {
                device.set(i, cache.get(i));
            } else if (fate == 1) {
                device.set(i, torn(cache.get(i)));
            } else {
                stats.lostAtPowerCut++;
            }
        }
        dirty.clear();
        forgotten.clear();
        cache.clear();
        cache.addAll(device);
        cutAfterHole();
    }

    /** The torn-tail repair: drops every record from {@code address} on. */
    synchronized void cutFrom(long address) {
        truncate((int) address);
    }

    private int randomDirty() {
        int n = random.nextInt(dirty.cardinality());
        int i = dirty.nextSetBit(0);
        while (n-- > 0) {
            i = dirty.nextSetBit(i + 1);
        }
        return i;
    }

    /** Background writeback of one record: whole, or only its first pages for now. */
    private void writeBack(int i) {
        stats.writebacks++;
        if (random.nextInt(3) == 0) {
            device.set(i, torn(cache.get(i)));
        } else {
            device.set(i, cache.get(i));
            dirty.clear(i);
        }
    }

    /** The record with everything from a random byte on zeroed, or (one time in four) scrambled. */
    private byte[] torn(byte[] record) {
        stats.tornOnDevice++;
        byte[] copy = record.clone();
        int from = random.nextInt(copy.length);
        if (random.nextInt(4) == 0) {
            byte[] junk = new byte[copy.length - from];
            random.nextBytes(junk);
            System.arraycopy(junk, 0, copy, from, junk.length);
        } else {
            Arrays.fill(copy, from, copy.length, (byte) 0);
        }
        return copy;
    }

    /** Readers stop at the first record never written back; what lies after it is cut at open. */
    private void cutAfterHole() {
        int hole = cache.indexOf(null);
        if (hole >= 0) {
            stats.cutAfterHole++;
            truncate(hole);
        }
    }

    private void truncate(int from) {
        cache.subList(from, cache.size()).clear();
        device.subList(from, device.size()).clear();
        dirty.clear(from, Integer.MAX_VALUE);
        forgotten.clear(from, Integer.MAX_VALUE);
    }
}
