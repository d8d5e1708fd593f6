package dev.signalbox.core.keys;

import static org.assertj.core.api.Assertions.assertThat;

import dev.signalbox.core.config.ConfigReader;
import dev.signalbox.core.config.LimitSpec;
import dev.signalbox.testing.ManualClock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class VirtualKeysTest {
  @TempDir Path dir;
  private final ManualClock clock = new ManualClock();

  private static VirtualKeys.Changes named(String name) {
    return new VirtualKeys.Changes(
        Optional.of(name),
        Optional.of("acme"),
        Optional.of(Optional.of("platform")),
        Optional.of(Set.of("auto")),
        Optional.of(LimitSpec.NONE),
        Optional.empty());
  }

  @Test
  void keysOutliveTheProcessAsDigestsOnly() throws Exception {
    Path file = dir.resolve("keys.db");
    String secret;
    try (SqliteKeyStore store = new SqliteKeyStore(file)) {
      assertThat(Files.exists(file)).as("no file before the first key").isFalse();
      secret = new VirtualKeys(store, clock, new Random(1)).create(named("ci")).secret();
    }
    assertThat(Files.readString(file, java.nio.charset.StandardCharsets.ISO_8859_1))
        .doesNotContain(secret)
        .contains(ConfigReader.sha256(secret));
    try (SqliteKeyStore store = new SqliteKeyStore(file)) {
      VirtualKeys reopened = new VirtualKeys(store, clock, new Random(2));
      VirtualKey key = reopened.authenticate(ConfigReader.sha256(secret)).orElseThrow();
      assertThat(key.tenant()).isEqualTo("acme");
      assertThat(key.team()).contains("platform");
      assertThat(key.routes()).containsExactly("auto");
    }
  }

  @Test
  void anExpiredKeyAndARotatedKeyPastItsGraceNoLongerAuthenticate() {
    VirtualKeys keys = new VirtualKeys(KeyStore.MEMORY, clock, new Random(3));
    VirtualKeys.Issued issued =
        keys.create(
            new VirtualKeys.Changes(
                Optional.of("ci"),
                Optional.empty(),
                Optional.empty(),
                Optional.empty(),
                Optional.empty(),
                Optional.of(Optional.of(clock.now().plus(Duration.ofHours(2))))));
    String first = ConfigReader.sha256(issued.secret());
    String second =
        ConfigReader.sha256(keys.rotate(issued.key().id(), Duration.ofMinutes(10)).secret());
    assertThat(keys.authenticate(first)).isPresent();
    assertThat(keys.authenticate(second)).isPresent();
    clock.advance(Duration.ofMinutes(10));
    assertThat(keys.authenticate(first)).isEmpty();
    assertThat(keys.authenticate(second)).isPresent();
    clock.advance(Duration.ofHours(2));
    assertThat(keys.authenticate(second)).as("expired").isEmpty();
  }

  /** A store other replicas write too, in memory: counts how often it is read. */
  private static final class SharedStore implements KeyStore {
    final java.util.List<VirtualKey> written = new java.util.concurrent.CopyOnWriteArrayList<>();
    final java.util.concurrent.atomic.AtomicInteger reads =
        new java.util.concurrent.atomic.AtomicInteger();

    @Override
    public boolean shared() {
      return true;
    }

    @Override
    public java.util.List<VirtualKey> all() {
      return java.util.List.copyOf(written);
    }

    @Override
    public Changed since(long version) {
      reads.incrementAndGet();
      return new Changed(
          written.subList((int) version, written.size()).stream().toList(), written.size());
    }

    @Override
    public void put(VirtualKey key) {
      written.add(key);
    }

    @Override
    public void close() {}
  }

  @Test
  void aKeyAnotherReplicaMadeIsFoundAtOnceAndWrongSecretsReadTheStoreAtMostTwentyTimesASecond() {
    SharedStore store = new SharedStore();
    VirtualKeys here = new VirtualKeys(store, clock, new Random(1));
    String secret = new VirtualKeys(store, clock, new Random(2)).create(named("ci")).secret();
    assertThat(here.authenticate(ConfigReader.sha256(secret)))
        .as("made by the other replica a moment ago")
        .isPresent();

    int before = store.reads.get();
    for (int i = 0; i < 100; i++) {
      assertThat(here.authenticate(ConfigReader.sha256("sb-wrong-" + i))).isEmpty();
    }
    assertThat(store.reads.get() - before).as("a burst of 20, not 100").isEqualTo(19);
    clock.advance(Duration.ofMillis(500));
    for (int i = 0; i < 100; i++) {
      here.authenticate(ConfigReader.sha256("sb-wrong-again-" + i));
    }
    assertThat(store.reads.get() - before).as("then 20 a second").isEqualTo(19 + 10);
  }
}
