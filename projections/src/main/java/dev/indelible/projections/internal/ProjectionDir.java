package dev.indelible.projections.internal;

import dev.indelible.ledger.AtomicFile;
import dev.indelible.projections.Projection;
import dev.indelible.projections.ProjectionException;
import dev.indelible.projections.ProjectionVersions;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.rocksdb.RocksDBException;

/**
 * The directory of one projection and the only code that changes it.
 *
 * <pre>{@code
 * <name>/CURRENT            the live version's directory name and a newline (temp, fsync, rename, fsync dir)
 * <name>/v1-000003/         a version: RocksDB database built by code version 1, build number 3
 * <name>/rebuild.lock       held (fcntl) while a rebuild runs; its text says by whom
 * <name>/quarantine/v1-000002-20261125T010203Z/   a damaged version, moved aside, never deleted
 * }</pre>
 *
 * <p>Thread-safe for reads; changes are made by one thread at a time (the rebuild lock's holder or
 * the projection's runner).
 */
final class ProjectionDir {

    private static final Pattern NAME = Pattern.compile("[a-z0-9][a-z0-9-]{0,63}");
    private static final Pattern VERSION = Pattern.compile("v(\\d+)-(\\d{6})");
    private static final DateTimeFormatter STAMP =
            DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss.SSS'Z'").withZone(ZoneOffset.UTC);

    private final String projection;
    private final Path root;

    ProjectionDir(Path projectionsDir, String projection) {
        this.projection = projection;
        this.root = projectionsDir.resolve(projection);
        try {
            Files.createDirectories(root.resolve("quarantine"));
        } catch (IOException e) {
            throw new ProjectionException("cannot create " + root + ": " + e.getMessage(), e);
        }
    }

    /** Creates the directory of all projections, owner-only, unless it exists. */
    static void createRoot(Path projectionsDir) {
        try {
            if (!Files.isDirectory(projectionsDir)) {
                Files.createDirectories(projectionsDir,
                        PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
            }
        } catch (IOException e) {
            throw new ProjectionException("cannot create " + projectionsDir + ": " + e.getMessage(), e);
        }
    }

    /** A projection's name is its directory's: 1 to 64 of [a-z0-9-]. */
    static String checkName(String name) {
        if (name == null || !NAME.matcher(name).matches()) {
            throw new IllegalArgumentException("projection name must be 1-64 of [a-z0-9-], starting with a letter or digit: " + name);
        }
        return name;
    }

    /** The projections by checked name, in the order given; two with one name share a directory, so are refused. */
    static Map<String, Projection> byName(List<Projection> projections) {
        Map<String, Projection> byName = new LinkedHashMap<>();
        for (Projection projection : projections) {
            if (byName.putIfAbsent(checkName(projection.name()), projection) != null) {
                throw new IllegalArgumentException("two projections are named " + projection.name());
            }
        }
        return byName;
    }

    String projection() {
        return projection;
    }

    Path root() {
        return root;
    }

    Path version(String versionName) {
        return root.resolve(versionName);
    }

    Path lockFile() {
        return root.resolve("rebuild.lock");
    }

    /** The live version's name, or empty before the first build. */
    Optional<String> current() {
        Path file = root.resolve("CURRENT");
        try {
            return Files.exists(file) ? Optional.of(Files.readString(file, StandardCharsets.UTF_8).strip()) : Optional.empty();
        } catch (IOException e) {
            throw new ProjectionException("cannot read " + file + ": " + e.getMessage(), e);
        }
    }

    /** Points CURRENT at {@code versionName} atomically and durably. */
    void setCurrent(String versionName) {
        Path file = root.resolve("CURRENT");
        try {
            AtomicFile.write(file, (versionName + "\n").getBytes(StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new ProjectionException("cannot write " + file + ": " + e.getMessage(), e);
        }
    }

    /** A new version name for {@code codeVersion}: one more than the highest build number present anywhere. */
    String nextVersionName(int codeVersion) {
        int highest = 0;
        for (Path dir : list(root)) {
            highest = Math.max(highest, buildNumber(dir.getFileName().toString()));
        }
        for (Path dir : list(root.resolve("quarantine"))) {
            highest = Math.max(highest, buildNumber(dir.getFileName().toString()));
        }
        return String.format("v%d-%06d", codeVersion, highest + 1);
    }

    /** Version directories, newest build first. */
    List<String> versions() {
        List<String> names = new ArrayList<>();
        for (Path dir : list(root)) {
            String name = dir.getFileName().toString();
            if (VERSION.matcher(name).matches()) {
                names.add(name);
            }
        }
        names.sort(Comparator.comparingInt(ProjectionDir::buildNumber).reversed());
        return names;
    }

    /** Moves a version to quarantine/ under a timestamped name; returns where it went. */
    Path quarantine(String versionName, Clock clock) {
        Path target = root.resolve("quarantine").resolve(versionName + "-" + STAMP.format(clock.instant()));
        move(version(versionName), target);
        return target;
    }

    /**
     * Deletes the versions that completed their build beyond the newest {@code keep}, never the
     * live one. A build that did not finish is left to {@link #deleteUnfinished}.
     */
    void prune(int keep, String live) {
        int kept = 0;
        for (String v : versions()) {
            if (v.equals(live)) {
                kept++;
            } else if (completion(version(v)) == Completion.COMPLETE && kept++ >= keep) {
                deleteTree(version(v));
            }
        }
    }

    /**
     * Deletes every version whose build did not finish (killed, or failed before it validated),
     * other than the live one: derived data that was never valid. Only under the rebuild lock,
     * so no build of them is running. One that cannot be read is left for quarantine, not deleted.
     *
     * @return the versions deleted, newest first, for the caller to report
     */
    List<String> deleteUnfinished() {
        String live = current().orElse(null);
        List<String> deleted = new ArrayList<>();
        for (String v : versions()) {
            if (!v.equals(live) && completion(version(v)) == Completion.UNFINISHED) {
                deleteTree(version(v));
                deleted.add(v);
            }
        }
        return deleted;
    }

    /**
     * Every version and quarantined version on disk. The live one's figures are the runner's
     * ({@code livePosition}, {@code liveApplied}); the others are opened read-only, as a rollback does.
     */
    ProjectionVersions onDisk(String live, long livePosition, long liveApplied) {
        List<ProjectionVersions.Version> versions = new ArrayList<>();
        for (String v : versions()) {
            versions.add(v.equals(live) ? new ProjectionVersions.Version(v, true, ProjectionVersions.Build.COMPLETE,
                    livePosition, liveApplied) : readVersion(v));
        }
        List<ProjectionVersions.Quarantined> quarantined = new ArrayList<>();
        for (Path q : list(root.resolve("quarantine"))) {
            long[] filesAndBytes = sizeOf(q);
            quarantined.add(new ProjectionVersions.Quarantined(q.getFileName().toString(), filesAndBytes[0], filesAndBytes[1]));
        }
        quarantined.sort(Comparator.comparing(ProjectionVersions.Quarantined::name,
                Comparator.comparingInt(ProjectionDir::buildNumber)).reversed());
        return new ProjectionVersions(projection, live, versions, quarantined);
    }

    private ProjectionVersions.Version readVersion(String name) {
        try (VersionStore store = VersionStore.openReadOnly(version(name))) {
            return new ProjectionVersions.Version(name, false, store.complete() ? ProjectionVersions.Build.COMPLETE
                    : ProjectionVersions.Build.UNFINISHED, Partitions.sum(store.nextSeqs(store.partitions())),
                    store.applied());
        } catch (RocksDBException e) {
            return new ProjectionVersions.Version(name, false, ProjectionVersions.Build.UNREADABLE, -1, -1);
        }
    }

    private static long[] sizeOf(Path dir) {
        try (Stream<Path> walk = Files.walk(dir)) {
            long[] filesAndBytes = new long[2];
            walk.filter(Files::isRegularFile).forEach(f -> {
                filesAndBytes[0]++;
                filesAndBytes[1] += f.toFile().length();
            });
            return filesAndBytes;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** What a version directory holds, as far as going live goes. */
    enum Completion { COMPLETE, UNFINISHED, UNREADABLE }

    /** Whether the version at {@code path} completed its build and validated: only then is it fit to go live. */
    static Completion completion(Path path) {
        try (VersionStore store = VersionStore.openReadOnly(path)) {
            return store.complete() ? Completion.COMPLETE : Completion.UNFINISHED;
        } catch (RocksDBException e) {
            return Completion.UNREADABLE;
        }
    }

    private void move(Path from, Path to) {
        try {
            AtomicFile.move(from, to);
        } catch (IOException e) {
            throw new ProjectionException("cannot move " + from + " to " + to + ": " + e.getMessage(), e);
        }
    }

    private static int buildNumber(String name) {
        Matcher m = Pattern.compile("v\\d+-(\\d{6}).*").matcher(name);
        return m.matches() ? Integer.parseInt(m.group(1)) : 0;
    }

    private static List<Path> list(Path dir) {
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        try (Stream<Path> entries = Files.list(dir)) {
            return entries.filter(Files::isDirectory).toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static void deleteTree(Path dir) {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(dir)) {
            for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        } catch (IOException e) {
            throw new ProjectionException("cannot delete old version " + dir + ": " + e.getMessage(), e);
        }
    }
}
