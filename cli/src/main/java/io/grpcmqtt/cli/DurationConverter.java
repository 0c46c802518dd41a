package io.grpcmqtt.cli;

import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/** {@code 500ms}, {@code 10s}, {@code 1.5s}, {@code 2m}, {@code 1h}; a bare number is seconds. */
final class DurationConverter implements ITypeConverter<Duration> {
  private static final Pattern FORMAT = Pattern.compile("(\\d+(?:\\.\\d+)?)(ms|s|m|h)?");

  @Override
  public Duration convert(String value) {
    Matcher m = FORMAT.matcher(value.trim());
    if (!m.matches()) {
      throw new TypeConversionException(
          "'" + value + "' is not a duration: write e.g. 500ms, 10s, 1.5s, 2m or 1h");
    }
    double amount = Double.parseDouble(m.group(1));
    String unit = m.group(2) == null ? "s" : m.group(2);
    double millis;
    switch (unit) {
      case "ms":
        millis = amount;
        break;
      case "m":
        millis = amount * 60_000;
        break;
      case "h":
        millis = amount * 3_600_000;
        break;
      default:
        millis = amount * 1_000;
        break;
    }
    return Duration.ofNanos(Math.round(millis * 1_000_000));
  }
}
