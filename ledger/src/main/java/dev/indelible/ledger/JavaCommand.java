package dev.indelible.ledger;

import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The one way Indelible's modules start another JVM like this one (the CLI's demo producers, the
 * tests' child JVMs): this JVM's {@code java}, the flags it was started with that the journal
 * needs ({@code --add-*} for Chronicle on Java 17, {@code -D} properties such as
 * {@code chronicle.analytics.disable}, and {@code -Xmx}), then the caller's options and this
 * JVM's class path. The caller adds the main class and its arguments.
 */
public final class JavaCommand {
    private JavaCommand() {
    }

    /** {@code java}, this JVM's flags, {@code options}, {@code -cp} and this JVM's class path. */
    public static List<String> likeThisJvm(List<String> options) {
        return build(true, options);
    }

    /** {@code java}, only {@code options} (none of this JVM's flags, not even Chronicle's), and the class path. */
    public static List<String> bare(List<String> options) {
        return build(false, options);
    }

    private static List<String> build(boolean inherit, List<String> options) {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        if (inherit) {
            for (String arg : ManagementFactory.getRuntimeMXBean().getInputArguments()) {
                if (arg.startsWith("--add-") || arg.startsWith("-D") || arg.startsWith("-Xmx")) {
                    command.add(arg);
                }
            }
        }
        command.addAll(options);
        command.add("-cp");
        command.add(System.getProperty("java.class.path"));
        return command;
    }
}
