package dev.signalbox.core.routing;

import static org.assertj.core.api.Assertions.assertThat;

import dev.signalbox.api.ChatRequest;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(20)
class TokenCounterTest {
  private final TokenCounter tokens = TokenCounter.shared();

  @Test
  void theByteBoundIsNeverBelowTheExactCount() {
    String[] alphabet = {
      "a", "b", " ", "the ", "é", "ß", "中文", "🙂", "\\n", "{\\\"k\\\": 1}", "0123", "ـ", "ñandú "
    };
    SplittableRandom random = new SplittableRandom(11);
    for (int i = 0; i < 500; i++) {
      StringBuilder text = new StringBuilder();
      int pieces = random.nextInt(1, 300);
      for (int j = 0; j < pieces; j++) {
        text.append(alphabet[random.nextInt(alphabet.length)]);
      }
      ChatRequest request = Requests.user("m", text.toString());
      long exact = tokens.countPrompt(request.messages(), List.of());
      assertThat(tokens.upperBound(request.messages(), List.of()))
          .as(text.toString())
          .isGreaterThanOrEqualTo(exact);
    }
  }

  @Test
  void countsUtf8BytesExactly() {
    assertThat(TokenCounter.utf8Length("aé中🙂")).isEqualTo(1 + 2 + 3 + 4);
  }

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
