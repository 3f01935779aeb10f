package dev.indelible.projections;

/**
 * What a scrub of a projection found: every block of the live version read back from disk and its
 * checksum checked. A damaged version has been quarantined and rebuilt by the time this returns.
 *
 * @param checkedVersion the version that was read
 * @param damaged        whether it failed; then {@code detail} says why and where it was moved
 * @param liveVersion    the version live now (a new one when the checked one was damaged)
 */
public record ScrubResult(String projection, String checkedVersion, boolean damaged, String detail, String liveVersion) {
}
