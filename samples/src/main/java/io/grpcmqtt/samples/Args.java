package io.grpcmqtt.samples;

import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The options of one subcommand: {@code --name value}, {@code --name=value}, bare flags and
 * {@code -h}/{@code --help}. No positional arguments, no option given twice.
 */
public final class Args {
  private static final String HELP = "--help";

  private final String command;
  private final Map<String, String> values;
  private final Set<String> flags;

  private Args(String command, Map<String, String> values, Set<String> flags) {
    this.command = command;
    this.values = values;
    this.flags = flags;
  }

  /** A bad command line; the message is one line, shown before the usage. */
  public static final class UsageException extends Exception {
    private static final long serialVersionUID = 1L;

    public UsageException(String message) {
      super(message);
    }
  }

  /**
   * Parses {@code args} for {@code command}, which takes the options in {@code valueOptions} (with
   * a value) and {@code flagOptions} (without).
   */
  public static Args parse(
      String command, List<String> args, Set<String> valueOptions, Set<String> flagOptions)
      throws UsageException {
    Map<String, String> values = new HashMap<>();
    Set<String> flags = new HashSet<>();
    for (int i = 0; i < args.size(); i++) {
      String arg = args.get(i);
      if (arg.equals("-h") || arg.equals("--help")) {
        flags.add(HELP);
        continue;
      }
      if (!arg.startsWith("--")) {
        throw new UsageException("unexpected argument '" + arg + "' for " + command);
      }
      int eq = arg.indexOf('=');
      String name = eq < 0 ? arg : arg.substring(0, eq);
      if (values.containsKey(name) || flags.contains(name)) {
        throw new UsageException(name + " given twice");
      }
      if (flagOptions.contains(name)) {
        if (eq >= 0) {
          throw new UsageException(name + " takes no value");
        }
        flags.add(name);
      } else if (valueOptions.contains(name)) {
        String value;
        if (eq >= 0) {
          value = arg.substring(eq + 1);
        } else if (i + 1 < args.size()) {
          value = args.get(++i);
        } else {
          throw new UsageException(name + " needs a value");
        }
        values.put(name, value);
      } else {
        throw new UsageException("unknown option " + name + " for " + command);
      }
    }
    return new Args(command, values, flags);
  }

  /** The value of option {@code name}, or {@code defaultValue} when it was not given. */
  public String get(String name, String defaultValue) {
    return values.getOrDefault(name, defaultValue);
  }

  /** The value of option {@code name}, which must have been given and not be blank. */
  public String require(String name) throws UsageException {
    String value = values.get(name);
    if (value == null) {
      throw new UsageException(command + " needs " + name);
    }
    if (value.isBlank()) {
      throw new UsageException(name + " must not be empty");
    }
    return value;
  }

  /** The integer value of option {@code name} in {@code min..max}, or {@code defaultValue}. */
  public int getInt(String name, int defaultValue, int min, int max) throws UsageException {
    String value = values.get(name);
    if (value == null) {
      return defaultValue;
    }
    int parsed;
    try {
      parsed = Integer.parseInt(value.strip());
    } catch (NumberFormatException e) {
      throw new UsageException(name + " must be a number, was '" + value + "'");
    }
    if (parsed < min || parsed > max) {
      throw new UsageException(name + " must be in " + min + ".." + max + ", was " + parsed);
    }
    return parsed;
  }

  /** Whether {@code -h} or {@code --help} was given (and not as an option's value). */
  public boolean helpRequested() {
    return flags.contains(HELP);
  }

  /** Whether flag {@code name} was given. */
  public boolean has(String name) {
    return flags.contains(name);
  }
}
