package dev.indelible.cli;

import dev.indelible.ledger.CorruptJournalException;
import dev.indelible.ledger.JournalFullException;
import dev.indelible.ledger.LedgerInUseException;
import dev.indelible.projections.RebuildInProgressException;
import java.io.PrintWriter;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * The {@code indelible} command. Exit codes: 0 success, 1 a problem was found (verification, or
 * data that could not be read or written), 2 usage or input error, 3 concurrency conflict.
 */
@Command(name = "indelible", mixinStandardHelpOptions = true, version = "indelible 0.1.0",
    description = "An append-only event ledger: nothing is ever lost, and you can prove it.",
    subcommands = {AppendCommand.class, ReadCommand.class, StatusCommand.class, VerifyCommand.class,
        ReplayCommand.class, QueryCommand.class, ImportCommand.class, ExportCommand.class, BackupCommand.class, RestoreCommand.class, ExportJournalCommand.class, EraseCommand.class, ServeCommand.class, TokenCommand.class, DemoCommand.class, DemoProducerCommand.class,
        CommandLine.HelpCommand.class})
public final class Main {
    @CommandLine.Mixin
    DataOptions data; // given before the subcommand: `indelible --data D read`

    public static final int OK = 0;
    public static final int VERIFY_FAILED = 1;
    public static final int USAGE = 2;
    public static final int CONFLICT = 3;

    public static void main(String[] args) {
        System.exit(run(args));
    }

    static int run(String... args) {
        return run(new PrintWriter(System.out, true), new PrintWriter(System.err, true), args);
    }

    /** Runs one command with its output going to {@code out} and {@code err}; returns the exit code. */
    static int run(PrintWriter out, PrintWriter err, String... args) {
        CommandLine cli = new CommandLine(new Main());
        cli.setOut(out);
        cli.setErr(err);
        cli.setUsageHelpWidth(80); // a terminal at its default size
        cli.setExitCodeExceptionMapper(Main::exitCode);
        CommandLine serve = cli.getSubcommands().get("serve");
        serve.setDefaultValueProvider(ServeSettings.of(serve.getCommandSpec(), args));
        CommandLine.IParameterExceptionHandler usage = cli.getParameterExceptionHandler();
        cli.setParameterExceptionHandler((e, rest) -> {
            if (e instanceof ServeSettings.BadFile) {
                e.getCommandLine().getErr().println("indelible serve: " + e.getMessage());
                return USAGE;
            }
            return usage.handleParseException(e, rest);
        });
        cli.setExecutionExceptionHandler((e, command, parsed) -> {
            command.getErr().println("indelible " + command.getCommandName() + ": " + message(e));
            command.getErr().flush();
            return exitCode(e);
        });
        int code = cli.execute(args);
        out.flush();
        err.flush();
        return code;
    }

    private static int exitCode(Throwable e) {
        if (e instanceof RebuildInProgressException || e instanceof ConflictException || e instanceof LedgerInUseException) {
            return CONFLICT;
        }
        if (e instanceof IllegalArgumentException || e instanceof CommandLine.ParameterException) {
            return USAGE; // includes InvalidEventException: bad input, nothing written
        }
        return VERIFY_FAILED;
    }

    private static String message(Throwable e) {
        String text = e.getMessage() == null ? e.toString() : e.getMessage();
        if (e instanceof JournalFullException) {
            return text + " The CLI's reserve: --free-space-reserve or $INDELIBLE_FREE_SPACE_RESERVE.";
        }
        return e instanceof CorruptJournalException ? text + " (run `indelible verify` for every finding)" : text;
    }

    /** A concurrency conflict the user should see with exit code 3: a wrong expected version, a reused id. */
    static final class ConflictException extends RuntimeException {
        private static final long serialVersionUID = 1L;

        ConflictException(String message) {
            super(message);
        }
    }
}
