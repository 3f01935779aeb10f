package dev.indelible.cli;

import picocli.CommandLine.Option;

/** How a command prints: text for people, or one JSON object per line for scripts. */
final class OutputOptions {
    @Option(names = "--json", description = "Print JSON, one object per line, for scripts.")
    boolean json;
}
