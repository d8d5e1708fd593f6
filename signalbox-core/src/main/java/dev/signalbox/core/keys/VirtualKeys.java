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
import java.util.logging.Logger;
import java.util.random.RandomGenerator;

/**
 * The virtual keys of this gateway, indexed by digest for authentication, each change written
 * through to the {@link KeyStore}. Secrets are {@code sb-} and 48 hex characters from the given
 * (secure) random source; only their digest and first 10 characters are kept.
 *
 * <p>When other replicas write the same store, their changes are read by {@link #refresh} (called
 * every second by the server) and, for a secret this process does not know, at once: a key made on
 * one replica works on every other at once, and a revocation or rotation reaches them within a
 * refresh. Refreshes for unknown secrets are rate limited (a cell-rate algorithm: 20 a second,
 * bursts of 20), so that a flood of wrong secrets costs the store at most that.
 */
public final class VirtualKeys {
  private static final long MISS_REFRESH_INTERVAL_NANOS = Duration.ofMillis(50).toNanos();
  private static final long MISS_REFRESH_BURST_NANOS = Duration.ofSeconds(1).toNanos();
  private static final Logger LOG = Logger.getLogger(VirtualKeys.class.getName());

  private final KeyStore store;
  private final TimeSource time;
  private final RandomGenerator random;
  private final ConcurrentHashMap<String, VirtualKey> byId = new ConcurrentHashMap<>();

  /** The digests that authenticate, current and (during a rotation's grace) previous. */
  private final ConcurrentHashMap<String, String> idByDigest = new ConcurrentHashMap<>();

  private final Object reading = new Object();
  private long seenVersion;
  private long missRefreshArrival;

  public VirtualKeys(KeyStore store, TimeSource time, RandomGenerator random) {
    this.store = store;
    this.time = time;
    this.random = random;
    refresh();
    this.missRefreshArrival = time.nanoTime();
  }

  /**
   * Reads the keys written to the store since the last read (by this process or another). A store
   * that cannot be read leaves the keys as they were, and says so in the log.
   */
  public void refresh() {
    synchronized (reading) {
      KeyStore.Changed changed;
      try {
        changed = store.since(seenVersion);
      } catch (RuntimeException e) {
        LOG.warning("cannot read the key store; keys stay as last read: " + e.getMessage());
        return;
      }
      changed.keys().forEach(this::index);
      seenVersion = changed.version();
    }
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

  /** Whether the keys are kept in a store other replicas share, read again on an unknown key. */
  public boolean shared() {
    return store.shared();
  }

  /** The valid key with this digest. */
  public Optional<VirtualKey> authenticate(String digest) {
    String id = idByDigest.get(digest);
    if (id == null && store.shared()) {
      if (missRefreshDue()) {
        refresh();
      }
      id = idByDigest.get(digest); // also what a refresh under way when this one waited found
    }
    if (id == null) {
      return Optional.empty();
    }
    return Optional.ofNullable(byId.get(id)).filter(key -> key.accepts(digest, time.now()));
  }

  private boolean missRefreshDue() {
    synchronized (reading) {
      long now = time.nanoTime();
      if (now - missRefreshArrival <= -MISS_REFRESH_BURST_NANOS) {
        return false;
      }
      missRefreshArrival = Math.max(missRefreshArrival, now) + MISS_REFRESH_INTERVAL_NANOS;
      return true;
    }
  }

  public List<VirtualKey> list() {
    refreshIfShared();
    return byId.values().stream().sorted(Comparator.comparing(VirtualKey::created)).toList();
  }

  public Optional<VirtualKey> find(String id) {
    refreshIfShared();
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

  /** An admin's view reads what other replicas changed first, and so does a change to a key. */
  private void refreshIfShared() {
    if (store.shared()) {
      refresh();
    }
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
