package dev.signalbox.core.config;

import java.net.URI;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;

/**
 * Limits above the keys' own: per tenant (a key's {@code tenant}), per team (a key's {@code team}),
 * per end user (a request's {@code user}, each user alone), per agent session (each session alone:
 * {@code x-signalbox-session-id}, else {@code metadata.session_id}) and per tag (a request's tags:
 * {@code x-signalbox-tags} or {@code metadata.tags}, comma-separated). A request must fit every
 * scope it falls in, and is reserved on all of them at once or on none.
 *
 * @param leaseTtl a reservation not settled in this time (its gateway died mid-request) is freed
 * @param redisUrl where replicas share their limits ({@code redis://host:port}); without it each
 *     gateway keeps its own in memory
 * @param failOpen with Redis unreachable, admit requests unchecked (and say so in a header) rather
 *     than refuse them with a 503
 * @param alertWebhook where budget alerts (a scope past its soft threshold) are posted as JSON
 * @param cutStreams a stream whose output passes what was reserved for it (an upstream writing past
 *     {@code max_tokens}) is ended there, as if it had reached its length
 * @param shrinkToFit a request whose worst case is more than a budget has left is sent with a
 *     shorter {@code max_tokens} that fits (instead of refused), when that leaves it at least
 *     {@code shrinkMinOutputTokens}
 */
public record LimitSettings(
    Map<String, LimitSpec> tenants,
    Map<String, LimitSpec> teams,
    Optional<LimitSpec> perUser,
    Optional<LimitSpec> perSession,
    Map<String, LimitSpec> tags,
    @Default("10m") Duration leaseTtl,
    Optional<String> redisUrl,
    @Default("false") boolean failOpen,
    @HttpUrl Optional<URI> alertWebhook,
    @Default("false") boolean cutStreams,
    @Default("false") boolean shrinkToFit,
    @Default("64") @Range(min = 1, max = 100_000_000) int shrinkMinOutputTokens) {
  public static final LimitSettings NONE =
      new LimitSettings(
          Map.of(),
          Map.of(),
          Optional.empty(),
          Optional.empty(),
          Map.of(),
          Duration.ofMinutes(10),
          Optional.empty(),
          false,
          Optional.empty(),
          false,
          false,
          64);

  public LimitSettings {
    tenants = Map.copyOf(tenants);
    teams = Map.copyOf(teams);
    tags = Map.copyOf(tags);
  }
}
