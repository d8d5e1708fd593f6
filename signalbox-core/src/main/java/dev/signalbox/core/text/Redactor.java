package dev.signalbox.core.text;

import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Takes secrets out of text that came from outside and travels on (upstream error messages, stream
 * error events, log lines): every configured secret value, and anything shaped like a provider key
 * or a bearer token whether configured or not. What is taken out reads {@code [redacted]}.
 */
public final class Redactor {
  public static final String MARK = "[redacted]";

  /** Provider keys and bearer tokens by their shape. */
  private static final Pattern KEY_SHAPED =
      Pattern.compile(
          "(?i)(bearer\\s+)[A-Za-z0-9._~+/=-]{8,}"
              + "|\\bsk-[A-Za-z0-9_-]{8,}"
              + "|\\bAIza[0-9A-Za-z_-]{20,}"
              + "|\\b(?:xai|gsk|pplx|hf)[-_][A-Za-z0-9]{16,}"
              + "|((?:api[_-]?key|x-api-key|access[_-]?token|secret)[\"']?\\s*[:=]\\s*[\"']?)"
              + "[A-Za-z0-9._~+/-]{12,}");

  /** Secrets shorter than this are too likely to be ordinary words to replace everywhere. */
  private static final int SHORTEST_SECRET = 8;

  /** Only key shapes, no configured values. */
  public static final Redactor SHAPES = new Redactor(List.of());

  private final List<String> secrets;

  private Redactor(List<String> secrets) {
    this.secrets = secrets;
  }

  /** A redactor of these secret values (short or blank ones are ignored) and of key shapes. */
  public static Redactor of(Collection<String> secrets) {
    return new Redactor(
        secrets.stream()
            .filter(s -> s != null && s.strip().length() >= SHORTEST_SECRET)
            .map(String::strip)
            .distinct()
            .sorted(Comparator.comparingInt(String::length).reversed())
            .toList());
  }

  public String redact(String text) {
    String out = text;
    for (String secret : secrets) {
      if (out.contains(secret)) {
        out = out.replace(secret, MARK);
      }
    }
    Matcher m = KEY_SHAPED.matcher(out);
    if (!m.find()) {
      return out;
    }
    StringBuilder redacted = new StringBuilder();
    do {
      String prefix = m.group(1) != null ? m.group(1) : m.group(2) != null ? m.group(2) : "";
      m.appendReplacement(redacted, Matcher.quoteReplacement(prefix + MARK));
    } while (m.find());
    m.appendTail(redacted);
    return redacted.toString();
  }
}
