package dev.signalbox.core.gateway;

import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.signalbox.api.SignalboxException;
import dev.signalbox.core.config.AuthSettings;
import dev.signalbox.core.config.ConfigReader;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class AuthenticatorTest {
  private static final String SCRAPE_KEY = "sb-scrape-secret";

  @Test
  void theScrapeKeyGuardsMetricsFromNonLoopbackClientsOnly() {
    Authenticator auth =
        new Authenticator(
            new AuthSettings(
                List.of(),
                Optional.empty(),
                Optional.of(ConfigReader.sha256(SCRAPE_KEY)),
                java.nio.file.Path.of("unused-keys.db")));
    assertThatCode(() -> auth.authenticateScrape(Optional.empty(), true))
        .doesNotThrowAnyException();
    assertThatThrownBy(() -> auth.authenticateScrape(Optional.empty(), false))
        .isInstanceOf(SignalboxException.class)
        .hasMessageContaining("needs the metrics key");
    assertThatThrownBy(() -> auth.authenticateScrape(Optional.of("Bearer wrong"), false))
        .hasMessageContaining("Incorrect key");
    assertThatCode(() -> auth.authenticateScrape(Optional.of("Bearer " + SCRAPE_KEY), false))
        .doesNotThrowAnyException();
  }

  @Test
  void withoutAScrapeKeyMetricsAnswerAnyone() {
    Authenticator auth = new Authenticator(AuthSettings.NONE);
    assertThatCode(() -> auth.authenticateScrape(Optional.empty(), false))
        .doesNotThrowAnyException();
  }
}
