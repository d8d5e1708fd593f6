package dev.signalbox.core.keys;

import dev.signalbox.api.ErrorKind;
import dev.signalbox.api.SignalboxException;
import dev.signalbox.api.TimeSource;
import dev.signalbox.core.config.ConfigReader;
import dev.signalbox.core.config.LimitSpec;
import dev.signalbox.core.wire.Truncated;
import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.random.RandomGenerator;

/**
 * The virtual keys of this gateway, indexed by digest for authentication, each change written
 * through to the {@link KeyStore}. Secrets are {@code sb-} and 48 hex characters from the given
 * (secure) random source; only their digest and first 10 characters are kept.
 */
public final class VirtualKeys {
  private final KeyStore store;
  private final TimeSource time;
  private final RandomGenerator random;
  private final ConcurrentHashMap<String, VirtualKey> byId = new ConcurrentHashMap<>();

  /** The digests that authenticate, current and (during a rotation's grace) previous. */
  private final ConcurrentHashMap<String, String> idByDigest = new ConcurrentHashMap<>();

  public VirtualKeys(KeyStore store, TimeSource time, RandomGenerator random) {
    this.store = store;
    this.time = time;
    this.random = random;
    store.all().forEach(this::index);
  }

  /** A key and its secret, shown once. */
  public record Issued(VirtualKey key, String secret) {}

  /** What a new key or a change to one says; absent parts are left as they are. */
  public record Changes(
      Optional<String> name,
      Optional<String> tenant,
      Optional<Optional<String>> team,
      Optional<Set<String>> routes,
      Optional<LimitSpec> limits,
      Optional<Optional<Instant>> expires) {}

  public boolean isEmpty() {
    return byId.isEmpty();
  }

  /** The valid key with this digest. */
  public Optional<VirtualKey> authenticate(String digest) {
    String id = idByDigest.get(digest);
    if (id == null) {
      return Optional.empty();
    }
    return Optional.ofNullable(byId.get(id)).filter(key -> key.accepts(digest, time.now()));
  }

  public List<VirtualKey> list() {
    return byId.values().stream().sorted(Comparator.comparing(VirtualKey::created)).toList();
  }

  public Optional<VirtualKey> find(String id) {
    return Optional.ofNullable(byId.get(id));
  }

  public synchronized Issued create(Changes changes) {
    String name =
        changes.name().orElseThrow(() -> SignalboxException.invalid("name", "'name' is required."));
    String secret = secret();
    Instant now = time.now();
    VirtualKey key =
        new VirtualKey(
            "key_" + HexFormat.of().toHexDigits(random.nextLong()),
            name,
            secret.substring(0, 10),
            ConfigReader.sha256(secret),
            changes.tenant().orElse(name),
            changes.team().orElse(Optional.empty()),
            changes.routes().orElse(Set.of()),
            changes.limits().orElse(LimitSpec.NONE),
            now,
            changes.expires().orElse(Optional.empty()),
            Optional.empty(),
            Optional.empty(),
            Optional.empty());
    save(key);
    return new Issued(key, secret);
  }

  public synchronized VirtualKey update(String id, Changes changes) {
    VirtualKey key = live(id);
    VirtualKey changed =
        new VirtualKey(
            key.id(),
            changes.name().orElse(key.name()),
            key.prefix(),
            key.sha256(),
            changes.tenant().orElse(key.tenant()),
            changes.team().orElse(key.team()),
            changes.routes().orElse(key.routes()),
            changes.limits().orElse(key.limits()),
            key.created(),
            changes.expires().orElse(key.expires()),
            key.revoked(),
            key.previousSha256(),
            key.previousUntil());
    save(changed);
    return changed;
  }

  /** A new secret; the old one keeps working for {@code grace} (not at all when zero). */
  public synchronized Issued rotate(String id, Duration grace) {
    VirtualKey key = live(id);
    String secret = secret();
    Instant now = time.now();
    VirtualKey rotated =
        key.rotated(
            secret.substring(0, 10),
            ConfigReader.sha256(secret),
            grace.isZero() ? Optional.empty() : Optional.of(now.plus(grace)));
    idByDigest.remove(key.sha256());
    key.previousSha256().ifPresent(idByDigest::remove);
    save(rotated);
    return new Issued(rotated, secret);
  }

  public synchronized VirtualKey revoke(String id) {
    VirtualKey key = live(id);
    VirtualKey revoked = key.revokedAt(time.now());
    save(revoked);
    return revoked;
  }

  private VirtualKey live(String id) {
    VirtualKey key =
        find(id)
            .orElseThrow(
                () ->
                    new SignalboxException(
                        ErrorKind.NOT_FOUND,
                        "No key with id '" + Truncated.of(id, 60) + "'.",
                        null,
                        "key_not_found"));
    if (key.revoked().isPresent()) {
      throw new SignalboxException(
          ErrorKind.INVALID_REQUEST,
          "Key '" + key.id() + "' was revoked at " + key.revoked().get() + "; make a new one.",
          null,
          "key_revoked");
    }
    return key;
  }

  private void save(VirtualKey key) {
    store.put(key);
    index(key);
  }

  private void index(VirtualKey key) {
    byId.put(key.id(), key);
    idByDigest.put(key.sha256(), key.id());
    key.previousSha256().ifPresent(digest -> idByDigest.put(digest, key.id()));
  }

  private String secret() {
    byte[] bytes = new byte[24];
    random.nextBytes(bytes);
    return "sb-" + HexFormat.of().formatHex(bytes);
  }

  /** Every key by id, for tests and listings. */
  Map<String, VirtualKey> byId() {
    return Map.copyOf(byId);
  }
}
