package dev.signalbox.core.text;

import static org.assertj.core.api.Assertions.assertThat;

import dev.signalbox.api.ChatRequest;
import dev.signalbox.core.TestConfigs;
import dev.signalbox.core.wire.ChatRequestParser;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicInteger;
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
  void aRememberedCountIsTheCountOfTheText() {
    TokenCounter remembering = new TokenCounter(1_000_000);
    TokenCounter forgetting = new TokenCounter(0);
    SplittableRandom random = new SplittableRandom(5);
    for (int i = 0; i < 40; i++) {
      String text = words(random, TokenCounter.REMEMBERED_MIN_CHARS + random.nextInt(4_000));
      int expected = forgetting.count(text);
      assertThat(remembering.count(text)).isEqualTo(expected);
      assertThat(remembering.count(new String(text.toCharArray()))).isEqualTo(expected);
    }
  }

  @Test
  void anAgentsNextStepTokenizesOnlyWhatIsNewInIt() {
    AtomicInteger tokenized = new AtomicInteger();
    TokenCounter counter =
        new TokenCounter(
            text -> {
              tokenized.incrementAndGet();
              return text.length() / 4;
            },
            1_000_000);
    SplittableRandom random = new SplittableRandom(9);
    String system = words(random, 12_000);
    String file = words(random, 3_000);
    String shortReply = "Done.";

    counter.count(system);
    counter.count(file);
    counter.count(shortReply);
    assertThat(tokenized).hasValue(3);

    // The next step: the same texts, parsed again into new strings, and one new long text.
    counter.count(new String(system.toCharArray()));
    counter.count(new String(file.toCharArray()));
    counter.count(new String(shortReply.toCharArray()));
    counter.count(words(random, 2_000));
    assertThat(tokenized).as("the short text again, and the new one").hasValue(5);
  }

  @Test
  void rememberedTextsStayWithinTheirBound() {
    TokenCounter counter = new TokenCounter(text -> 1, 10_000);
    SplittableRandom random = new SplittableRandom(3);
    for (int i = 0; i < 50; i++) {
      counter.count(words(random, 1_500));
    }
    assertThat(counter.rememberedChars()).isPositive().isLessThanOrEqualTo(10_000);
    assertThat(new TokenCounter(text -> 1, 0).rememberedChars()).isZero();
  }

  private static String words(SplittableRandom random, int chars) {
    String[] words = {"the ", "file ", "returns ", "public ", "class ", "é ", "中文 ", "{}\n", "42 "};
    StringBuilder text = new StringBuilder();
    while (text.length() < chars) {
      text.append(words[random.nextInt(words.length)]);
    }
    return text.toString();
  }

  @Test
  void countsUtf8BytesExactly() {
    assertThat(TokenCounter.utf8Length("aé中🙂")).isEqualTo(1 + 2 + 3 + 4);
  }
}
