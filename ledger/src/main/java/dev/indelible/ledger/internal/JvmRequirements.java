package dev.indelible.ledger.internal;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * What Chronicle Queue needs of the JVM, checked before it loads: its module flags on Java 17+ (a
 * clear error naming the missing ones instead of Chronicle's IllegalAccessException), and its usage
 * analytics and banners off unless the application said otherwise, so that nothing talks to the
 * network. The flags are the parent pom's {@code indelible.jvm.flags}, copied in at build time.
 */
public final class JvmRequirements {
    private static final List<String> FLAGS = load();
    private static final List<String> MODULE_FLAGS = FLAGS.stream().filter(f -> f.startsWith("--add-")).toList();
    private static volatile boolean checked;

    private JvmRequirements() {
    }

    /** Sets Chronicle's quiet properties where absent, and refuses naming every missing module flag. */
    public static void check() {
        if (checked) {
            return;
        }
        for (String flag : FLAGS) {
            if (flag.startsWith("-D")) {
                String[] property = flag.substring(2).split("=", 2);
                if (System.getProperty(property[0]) == null) {
                    System.setProperty(property[0], property[1]);
                }
            }
        }
        List<String> missing = MODULE_FLAGS.stream().filter(flag -> !granted(flag)).toList();
        if (!missing.isEmpty()) {
            throw new IllegalStateException("Chronicle Queue, which holds the journal, needs JVM options this process was"
                + " started without: " + String.join(" ", missing) + ". Start java with all of: "
                + String.join(" ", MODULE_FLAGS)
                + " (ledger/README.md, \"Using the ledger as a library\")");
        }
        checked = true;
    }

    /** {@code --add-opens=module/package=ALL-UNNAMED} or {@code --add-exports=...}: in effect for this code? */
    static boolean granted(String flag) {
        String[] parts = flag.substring(flag.indexOf('=') + 1).split("[/=]");
        Module target = JvmRequirements.class.getModule();
        return ModuleLayer.boot().findModule(parts[0])
            .map(module -> flag.startsWith("--add-opens") ? module.isOpen(parts[1], target) : module.isExported(parts[1], target))
            .orElse(true); // a module this JVM lacks cannot be asked for
    }

    private static List<String> load() {
        try (InputStream in = JvmRequirements.class.getResourceAsStream("jvm.flags")) {
            if (in == null) {
                throw new IllegalStateException("jvm.flags is missing from the ledger's jar");
            }
            String text = new String(in.readAllBytes(), StandardCharsets.UTF_8).strip();
            return List.of(text.split("\\s+"));
        } catch (IOException e) {
            throw new IllegalStateException("cannot read jvm.flags: " + e.getMessage(), e);
        }
    }
}
