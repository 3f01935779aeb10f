package dev.indelible.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** Every command's --help reads in a terminal of the default 80 columns. */
class HelpTest {
    @Test
    void shouldFitEveryHelpTextInEightyColumns() {
        List<List<String>> commands = new ArrayList<>();
        collect(new CommandLine(new Main()), new ArrayList<>(), commands);
        assertTrue(commands.size() > 15, "every command and subcommand: " + commands);
        for (List<String> command : commands) {
            StringWriter out = new StringWriter();
            List<String> args = new ArrayList<>(command);
            args.add("--help");
            StringWriter err = new StringWriter();
            assertEquals(0, Main.run(new PrintWriter(out), new PrintWriter(err), args.toArray(String[]::new)),
                "indelible " + String.join(" ", args) + ": " + err);
            for (String line : out.toString().split("\n")) {
                assertTrue(line.length() <= 80, "indelible " + String.join(" ", command) + " --help: " + line.length()
                    + " columns: " + line);
            }
        }
    }

    private static void collect(CommandLine cli, List<String> path, List<List<String>> into) {
        into.add(path);
        cli.getSubcommands().forEach((name, sub) -> {
            if (!name.equals("help") && !sub.getCommandSpec().usageMessage().hidden()) {
                List<String> next = new ArrayList<>(path);
                next.add(name);
                collect(sub, next, into);
            }
        });
    }
}
