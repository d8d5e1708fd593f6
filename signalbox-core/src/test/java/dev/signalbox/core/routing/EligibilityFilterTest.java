package dev.signalbox.core.routing;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class EligibilityFilterTest {
  @Test
  void theContextFilterTokenizesOnlyNearTheLimit() {
    RequestSignals small = Requests.signals(Requests.user("m", "short prompt"));
    assertThat(
            EligibilityFilter.CONTEXT_WINDOW.exclude(
                dev.signalbox.core.TestConfigs.read(
                        dev.signalbox.core.TestConfigs.pool("- {name: r, models: [small]}"))
                    .model("small")
                    .orElseThrow(),
                small))
        .isEmpty();
    assertThat(small.values())
        .containsKey("prompt_tokens_at_most")
        .doesNotContainKey("prompt_tokens");
  }
}
