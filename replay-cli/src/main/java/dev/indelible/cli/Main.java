package dev.indelible.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * The {@code indelible} command. Exit codes: 0 success, 1 verification found a problem, 2 usage
 * or input error, 3 concurrency conflict.
 */
@Command(name = "indelible", mixinStandardHelpOptions = true, version = "indelible 0.1.0",
    description = "An append-only event ledger: nothing is ever lost, and you can prove it.",
    subcommands = {DemoCommand.class, DemoProducerCommand.class})
public final class Main {
    public static final int OK = 0;
    public static final int VERIFY_FAILED = 1;
    public static final int USAGE = 2;
    public static final int CONFLICT = 3;

    public static void main(String[] args) {
        System.exit(run(args));
    }

    static int run(String... args) {
        CommandLine cli = new CommandLine(new Main());
        cli.setExitCodeExceptionMapper(e -> USAGE);
        return cli.execute(args);
    }
}
