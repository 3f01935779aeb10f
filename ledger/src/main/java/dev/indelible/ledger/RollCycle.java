package dev.indelible.ledger;

/**
 * How often the journal starts a new file. Shorter cycles give smaller files (easier to back up
 * and archive); a cycle holds at most about 4 billion records.
 */
public enum RollCycle {
    DAILY,
    HOURLY,
    TEN_MINUTELY,
    /** For tests that want several files quickly. */
    FIVE_MINUTELY,
    /** For tests of the roll itself: a file a second, at most 4,096 records each. */
    SECONDLY
}
