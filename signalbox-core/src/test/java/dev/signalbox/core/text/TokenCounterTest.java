package dev.signalbox.core.text;

import static org.assertj.core.api.Assertions.assertThat;

import dev.signalbox.api.ChatRequest;
import dev.signalbox.core.TestConfigs;
import dev.signalbox.core.wire.ChatRequestParser;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(20)
class TokenCounterTest {
  private final TokenCounter tokens = TestConfigs.tokens();

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
      ChatRequest request =
          ChatRequestParser.parse(
              ("{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":\"" + text + "\"}]}")
                  .getBytes(StandardCharsets.UTF_8));
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
}
