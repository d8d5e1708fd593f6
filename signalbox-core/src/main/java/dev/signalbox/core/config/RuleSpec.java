package dev.signalbox.core.config;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.regex.Pattern;

/**
 * One rule of a {@code rules} route: every condition given must hold for the rule to match.
 *
 * @param label the rule's name in traces; {@code rules[i]} when absent
 * @param keywords matches when the last user message contains any of them, ignoring case
 * @param promptTokens the range the prompt's token count must lie in
 * @param header a header name and the value it must have
 * @param route where a request the rule matches goes
 * @param language the languages (ISO 639-1) the last user message must be in, one of them
 * @param domain the domains the route's classifier must find, one of them
 */
public record RuleSpec(
    @JsonProperty("name") Optional<String> label,
    List<String> keywords,
    Optional<Pattern> regex,
    Optional<TokenRange> promptTokens,
    Optional<Boolean> tools,
    Optional<Boolean> images,
    Optional<HeaderMatch> header,
    String route,
    List<String> language,
    List<String> domain) {

  /** A header that must be present with this value (compared ignoring case). */
  public record HeaderMatch(String name, String value) {
    public HeaderMatch {
      name = name.toLowerCase(Locale.ROOT);
    }
  }

  /** An inclusive range of prompt tokens; either end may be open. */
  public record TokenRange(
      @Range(min = 0, max = 9.2e18) OptionalLong min,
      @Range(min = 0, max = 9.2e18) OptionalLong max) {}

  public RuleSpec {
    Objects.requireNonNull(label);
    keywords = keywords.stream().map(k -> k.toLowerCase(Locale.ROOT)).toList();
    Objects.requireNonNull(route);
    language = List.copyOf(language);
    domain = List.copyOf(domain);
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
        Optional.of(name),
        keywords,
        regex,
        minPromptTokens.isPresent() || maxPromptTokens.isPresent()
            ? Optional.of(new TokenRange(minPromptTokens, maxPromptTokens))
            : Optional.empty(),
        tools,
        images,
        header,
        route,
        List.of(),
        List.of());
  }

  public String name() {
    return label.orElse("rule");
  }

  RuleSpec named(String fallback) {
    return label.isPresent()
        ? this
        : new RuleSpec(
            Optional.of(fallback),
            keywords,
            regex,
            promptTokens,
            tools,
            images,
            header,
            route,
            language,
            domain);
  }

  public OptionalLong minPromptTokens() {
    return promptTokens.map(TokenRange::min).orElse(OptionalLong.empty());
  }

  public OptionalLong maxPromptTokens() {
    return promptTokens.map(TokenRange::max).orElse(OptionalLong.empty());
  }

  public List<String> languages() {
    return language;
  }

  public List<String> domains() {
    return domain;
  }
}
