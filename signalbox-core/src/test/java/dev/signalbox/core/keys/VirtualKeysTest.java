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
}
