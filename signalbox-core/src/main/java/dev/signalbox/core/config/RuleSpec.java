package dev.signalbox.core.config;

import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.regex.Pattern;

/**
 * One rule of a {@code rules} route: every condition given must hold for the rule to match.
 *
 * @param keywords matches when the last user message contains any of them, ignoring case
 * @param header a header name and the value it must have
 */
public record RuleSpec(
    String name,
    List<String> keywords,
    Optional<Pattern> regex,
    OptionalLong minPromptTokens,
    OptionalLong maxPromptTokens,
    Optional<Boolean> tools,
    Optional<Boolean> images,
    Optional<HeaderMatch> header,
    String route,
    List<String> languages,
    List<String> domains) {

  /** A header that must be present with this value (compared ignoring case). */
  public record HeaderMatch(String name, String value) {}

  public RuleSpec {
    Objects.requireNonNull(name);
    keywords = List.copyOf(keywords);
    Objects.requireNonNull(regex);
    Objects.requireNonNull(minPromptTokens);
    Objects.requireNonNull(maxPromptTokens);
    Objects.requireNonNull(tools);
    Objects.requireNonNull(images);
    Objects.requireNonNull(header);
    Objects.requireNonNull(route);
    languages = List.copyOf(languages);
    domains = List.copyOf(domains);
  }

  /** A rule on neither language nor domain. */
  public RuleSpec(
      String name,
      List<String> keywords,
      Optional<Pattern> regex,
      OptionalLong minPromptTokens,
      OptionalLong maxPromptTokens,
      Optional<Boolean> tools,
      Optional<Boolean> images,
      Optional<HeaderMatch> header,
      String route) {
    this(
        name,
        keywords,
        regex,
        minPromptTokens,
        maxPromptTokens,
        tools,
        images,
        header,
        route,
        List.of(),
        List.of());
  }
}
