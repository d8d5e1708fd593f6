package dev.signalbox.core.config;

import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A size in bytes, written as a number of bytes or with a unit: {@code 4MiB}, {@code 512KiB},
 * {@code 1GB}.
 */
public record ByteSize(long bytes) {
  private static final Pattern TEXT =
      Pattern.compile("(\\d+(?:\\.\\d+)?)\\s*(b|kb|kib|mb|mib|gb|gib)?", Pattern.CASE_INSENSITIVE);

  public ByteSize {
    if (bytes < 0) {
      throw new IllegalArgumentException("a size is not negative, was " + bytes);
    }
  }

  public static ByteSize ofMebibytes(long mebibytes) {
    return new ByteSize(mebibytes * 1024 * 1024);
  }

  /** Reads {@code 4194304}, {@code 4MiB} or {@code 4 MB}; fails saying what it expected. */
  public static ByteSize parse(String text) {
    Matcher m = TEXT.matcher(text.trim());
    if (!m.matches()) {
      throw new IllegalArgumentException(
          "expected a size like 4194304, 512KiB, 4MiB or 1GiB, got '" + text + "'");
    }
    double amount = Double.parseDouble(m.group(1));
    String unit = m.group(2) == null ? "b" : m.group(2).toLowerCase(Locale.ROOT);
    double factor =
        switch (unit) {
          case "kb" -> 1e3;
          case "kib" -> 1024;
          case "mb" -> 1e6;
          case "mib" -> 1024.0 * 1024;
          case "gb" -> 1e9;
          case "gib" -> 1024.0 * 1024 * 1024;
          default -> 1;
        };
    return new ByteSize(Math.round(amount * factor));
  }

  @Override
  public String toString() {
    return bytes + " bytes";
  }
}
