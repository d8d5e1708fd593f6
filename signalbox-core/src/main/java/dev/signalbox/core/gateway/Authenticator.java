package dev.signalbox.core.gateway;

import dev.signalbox.api.ErrorKind;
import dev.signalbox.api.SignalboxException;
import dev.signalbox.core.config.AuthSettings;
import dev.signalbox.core.config.ConfigReader;
import dev.signalbox.core.config.GatewayKey;
import dev.signalbox.core.config.LimitSettings;
import dev.signalbox.core.config.LimitSpec;
import dev.signalbox.core.keys.VirtualKey;
import dev.signalbox.core.keys.VirtualKeys;
import dev.signalbox.core.limits.Scope;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Checks bearer keys against the SHA-256 digests in the config. Without configured keys only
 * loopback callers are served, as the tenant "local".
 */
public final class Authenticator {
  private final Map<String, GatewayKey> byDigest = new HashMap<>();
  private final Optional<String> adminDigest;
  private final Optional<String> metricsDigest;

  private final LimitSettings limits;
  private final Optional<VirtualKeys> virtualKeys;

  public Authenticator(AuthSettings auth) {
    this(auth, LimitSettings.NONE, Optional.empty());
  }

  /**
   * @param virtualKeys keys made through the admin API, checked after the config's
   */
  public Authenticator(AuthSettings auth, LimitSettings limits, Optional<VirtualKeys> virtualKeys) {
    auth.keys().forEach(key -> byDigest.put(key.sha256(), key));
    this.adminDigest = auth.adminKeySha256();
    this.metricsDigest = auth.metricsKeySha256();
    this.limits = limits;
    this.virtualKeys = virtualKeys;
  }

  /** Whether any key, from the config or the admin API, exists. */
  private boolean keyless() {
    return byDigest.isEmpty() && virtualKeys.map(VirtualKeys::isEmpty).orElse(true);
  }

  public Caller authenticate(
      Optional<String> authorization, boolean loopback, Map<String, String> headers) {
    if (keyless() && virtualKeys.isPresent()) {
      // A key made on another replica sharing the key store: reads it (a secret this process does
      // not know is looked up), so that the request is not served as keyless.
      bearer(authorization).ifPresent(b -> virtualKeys.get().authenticate(ConfigReader.sha256(b)));
    }
    if (keyless()) {
      if (!loopback) {
        throw new SignalboxException(
            ErrorKind.FORBIDDEN,
            "This gateway has no keys configured and serves loopback callers only.",
            null,
            "loopback_only");
      }
      return new Caller("local", Set.of(), headers, bounds(Optional.empty(), "local"));
    }
    String presented =
        bearer(authorization)
            .orElseThrow(
                () ->
                    new SignalboxException(
                        ErrorKind.UNAUTHENTICATED,
                        "You didn't provide an API key. Send it in the Authorization header as"
                            + " 'Bearer KEY'.",
                        null,
                        "missing_api_key"));
    String digest = ConfigReader.sha256(presented);
    GatewayKey key = byDigest.get(digest);
    if (key == null && virtualKeys.isPresent()) {
      key = virtualKeys.get().authenticate(digest).map(VirtualKey::asGatewayKey).orElse(null);
    }
    if (key == null) {
      throw new SignalboxException(
          ErrorKind.UNAUTHENTICATED, "Incorrect API key provided.", null, "invalid_api_key");
    }
    return new Caller(
        key.tenant(),
        key.routes(),
        headers,
        bounds(Optional.of(key), key.tenant()),
        key.name(),
        key.team().orElse(""));
  }

  /** The scopes a key's requests count against: the key's own, its team's, its tenant's. */
  private List<Scope.Bound> bounds(Optional<GatewayKey> key, String tenant) {
    List<Scope.Bound> bounds = new ArrayList<>();
    key.ifPresent(
        k -> {
          k.limits()
              .filter(LimitSpec::limitsAnything)
              .ifPresent(spec -> bounds.add(new Scope(Scope.Kind.KEY, k.name()).bound(spec)));
          k.team()
              .flatMap(
                  team ->
                      Optional.ofNullable(limits.teams().get(team))
                          .map(spec -> new Scope(Scope.Kind.TEAM, team).bound(spec)))
              .ifPresent(bounds::add);
        });
    Optional.ofNullable(limits.tenants().get(tenant))
        .ifPresent(spec -> bounds.add(new Scope(Scope.Kind.TENANT, tenant).bound(spec)));
    return bounds;
  }

  /**
   * The key admin endpoints need the admin key when one is configured. Without one they serve
   * loopback callers, and only while no key exists: enough to make a first key on a fresh gateway,
   * after which managing keys needs {@code auth.admin-key-sha256}.
   */
  public void authenticateKeyAdmin(Optional<String> authorization, boolean loopback) {
    if (adminDigest.isPresent()) {
      check(authorization, adminDigest.get(), "The admin API needs the admin key");
    } else if (!loopback) {
      throw new SignalboxException(
          ErrorKind.FORBIDDEN,
          "Without auth.admin-key-sha256 the key admin API serves loopback callers only.",
          null,
          "loopback_only");
    } else if (!keyless()) {
      throw new SignalboxException(
          ErrorKind.FORBIDDEN,
          "Keys exist: managing them needs the admin key. Set auth.admin-key-sha256 in the config"
              + " and reload.",
          null,
          "admin_key_required");
    }
  }

  /** Admin endpoints need the admin key; without one configured they are disabled. */
  public void authenticateAdmin(Optional<String> authorization) {
    if (adminDigest.isEmpty()) {
      throw new SignalboxException(
          ErrorKind.FORBIDDEN,
          "The admin API is disabled: set auth.admin-key-sha256 in the config.",
          null,
          "admin_disabled");
    }
    check(authorization, adminDigest.get(), "The admin API needs the admin key");
  }

  /**
   * {@code /metrics} and {@code /ready}: loopback callers always, others with the scrape key when
   * one is configured.
   */
  public void authenticateScrape(Optional<String> authorization, boolean loopback) {
    if (loopback || metricsDigest.isEmpty()) {
      return;
    }
    check(authorization, metricsDigest.get(), "This endpoint needs the metrics key");
  }

  private static void check(Optional<String> authorization, String expected, String needs) {
    String presented =
        bearer(authorization)
            .orElseThrow(
                () ->
                    new SignalboxException(
                        ErrorKind.UNAUTHENTICATED,
                        needs + " as 'Bearer KEY'.",
                        null,
                        "missing_api_key"));
    byte[] digest = ConfigReader.sha256(presented).getBytes(StandardCharsets.US_ASCII);
    if (!MessageDigest.isEqual(digest, expected.getBytes(StandardCharsets.US_ASCII))) {
      throw new SignalboxException(
          ErrorKind.UNAUTHENTICATED, "Incorrect key provided.", null, "invalid_api_key");
    }
  }

  private static Optional<String> bearer(Optional<String> authorization) {
    return authorization
        .map(String::trim)
        .filter(h -> h.regionMatches(true, 0, "Bearer ", 0, 7))
        .map(h -> h.substring(7).trim())
        .filter(k -> !k.isEmpty());
  }
}
