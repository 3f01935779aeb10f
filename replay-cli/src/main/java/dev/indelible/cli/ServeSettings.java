package dev.indelible.cli;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import picocli.CommandLine;
import picocli.CommandLine.Model.ArgSpec;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;

/**
 * Where {@code serve} finds the settings not given as options: the environment
 * ({@code INDELIBLE_PORT} for {@code --port}), then the config file ({@code --config FILE} or
 * {@code $INDELIBLE_CONFIG}). Picocli takes them as defaults, so an option on the command line
 * always wins: flag, then environment, then file, then the built-in default.
 *
 * <p>The file holds {@code key = value} lines, a key being an option's long name without its
 * dashes; {@code #} starts a comment, an empty value means unset. An unknown key, or a line that is
 * not {@code key = value}, is refused naming the file and the line, before anything is opened.
 */
final class ServeSettings implements CommandLine.IDefaultValueProvider {
    static final String CONFIG_OPTION = "--config";
    private static final List<String> NOT_SETTINGS = List.of("--config", "--help", "--version");

    private final CommandSpec serve;
    private final Path file;
    private Map<String, String> values;

    private ServeSettings(CommandSpec serve, Path file) {
        this.serve = serve;
        this.file = file;
    }

    /** The settings for {@code serve}, with the file named by {@code args} or the environment. */
    static ServeSettings of(CommandSpec serve, String[] args) {
        String given = null;
        for (int i = 0; i < args.length; i++) {
            if (args[i].equals(CONFIG_OPTION) && i + 1 < args.length) {
                given = args[i + 1];
            } else if (args[i].startsWith(CONFIG_OPTION + "=")) {
                given = args[i].substring(CONFIG_OPTION.length() + 1);
            }
        }
        String env = System.getenv("INDELIBLE_CONFIG");
        String path = given != null ? given : env != null && !env.isBlank() ? env : null;
        return new ServeSettings(serve, path == null ? null : Path.of(path));
    }

    /** The environment variable of a setting: {@code --grpc-port} is {@code INDELIBLE_GRPC_PORT}. */
    static String environmentName(String key) {
        return "INDELIBLE_" + key.toUpperCase(Locale.ROOT).replace('-', '_');
    }

    @Override
    public String defaultValue(ArgSpec arg) {
        if (!(arg instanceof OptionSpec option) || NOT_SETTINGS.contains(option.longestName())) {
            return null;
        }
        String key = option.longestName().substring(2);
        String env = System.getenv(environmentName(key));
        if (env != null && !env.isBlank()) {
            return env;
        }
        return fileValues().get(key);
    }

    private Map<String, String> fileValues() {
        if (values == null) {
            values = file == null ? Map.of() : read(file, keys());
        }
        return values;
    }

    private TreeSet<String> keys() {
        TreeSet<String> keys = new TreeSet<>();
        for (OptionSpec option : serve.options()) {
            if (!NOT_SETTINGS.contains(option.longestName())) {
                keys.add(option.longestName().substring(2));
            }
        }
        return keys;
    }

    private Map<String, String> read(Path config, TreeSet<String> keys) {
        List<String> lines;
        try {
            lines = Files.readAllLines(config, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            throw refused("no config file " + config);
        } catch (IOException e) {
            throw refused("cannot read " + config + ": " + e.getMessage());
        }
        Map<String, String> read = new TreeMap<>();
        for (int n = 1; n <= lines.size(); n++) {
            String line = lines.get(n - 1).strip();
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            int equals = line.indexOf('=');
            if (equals < 0) {
                throw refused(config + " line " + n + ": not `key = value`: " + line);
            }
            String key = line.substring(0, equals).strip();
            String value = line.substring(equals + 1).strip();
            if (!keys.contains(key)) {
                throw refused(config + " line " + n + ": unknown key '" + key + "'; the keys are serve's options"
                    + " without their dashes: " + String.join(", ", keys));
            }
            if (read.containsKey(key)) {
                throw refused(config + " line " + n + ": '" + key + "' is set twice");
            }
            if (!value.isEmpty()) {
                read.put(key, value);
            }
        }
        return read;
    }

    private BadFile refused(String message) {
        return new BadFile(serve.commandLine(), message);
    }

    /** A config file serve cannot use: said in one line, without the usage text a mistyped option gets. */
    static final class BadFile extends CommandLine.ParameterException {
        private static final long serialVersionUID = 1L;

        BadFile(CommandLine serve, String message) {
            super(serve, message);
        }
    }
}
