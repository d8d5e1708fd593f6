package dev.signalbox.core.text;

import static org.assertj.core.api.Assertions.assertThat;

import dev.signalbox.api.TextWindow;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class TextWindowsTest {
  private static final String SYSTEM =
      "You are a helpful assistant. Follow the house style, answer briefly and cite sources. "
          .repeat(6);

  private static String shots(String subject) {
    return ("The following are questions about " + subject + ".\n\n")
        + ("A worked example about " + subject + " with its answer.\nAnswer: B\n\n").repeat(9);
  }

  private static List<String> prompts() {
    List<String> texts = new ArrayList<>();
    for (int i = 0; i < 12; i++) {
      texts.add(SYSTEM + shots("anatomy") + "Which bone is number " + i + "?\nAnswer:");
      texts.add(SYSTEM + shots("law") + "Which statute is number " + i + "?\nAnswer:");
      texts.add("Which of the following is a short question number " + i + " with no prefix?");
    }
    for (int i = 0; i < 6; i++) {
      texts.add("the same question asked again and again, word for word. ".repeat(8));
    }
    return texts;
  }

  @Test
  void learnsTheBeginningsManyPromptsShareAndSkipsTheLongestThatMatches() {
    SharedPrefixes prefixes = SharedPrefixes.learn(prompts());

    assertThat(prefixes.prefixes())
        .containsExactlyInAnyOrder(
            SYSTEM + "The following are questions about ",
            SYSTEM + shots("anatomy"),
            SYSTEM + shots("law"));
    String question = "Which bone is the longest?\nAnswer:";
    String text = SYSTEM + shots("anatomy") + question;
    assertThat(text.substring(prefixes.end(text))).isEqualTo(question);
    // Text that shares only the system prompt and header loses those, and keeps its own examples.
    String other = SYSTEM + shots("botany") + question;
    assertThat(other.substring(prefixes.end(other))).startsWith("botany.\n\nA worked example");
  }

  @Test
  void aShortCommonStartARepeatedTextOrABarePrefixIsKeptWhole() {
    SharedPrefixes prefixes = SharedPrefixes.learn(prompts());

    assertThat(prefixes.end("Which of the following is a short question number 99 with no prefix?"))
        .isZero();
    assertThat(prefixes.end("the same question asked again and again, word for word. ".repeat(8)))
        .isZero();
    assertThat(prefixes.end(SYSTEM + shots("law"))).isZero();
    assertThat(SharedPrefixes.learn(List.of("a", "b")).isEmpty()).isTrue();
  }

  @Test
  void theTailReadsTheEndFromAWordsStartAndChunksCoverTheWholeText() {
    String text = "word ".repeat(1_000);
    int[] tail = TextWindows.tail(text);
    assertThat(tail[1]).isEqualTo(text.length());
    assertThat(tail[1] - tail[0]).isBetween(TextWindows.WINDOW_CHARS - 5, TextWindows.WINDOW_CHARS);
    assertThat(text.charAt(tail[0] - 1)).isEqualTo(' ');
    assertThat(TextWindows.tail("short")).containsExactly(0, 5);

    int[] chunks = TextWindows.chunks(text);
    assertThat(chunks[0]).isZero();
    assertThat(chunks[chunks.length - 1]).isEqualTo(text.length());
    for (int i = 2; i < chunks.length; i += 2) {
      assertThat(chunks[i]).isEqualTo(chunks[i - 1]);
      assertThat(text.charAt(chunks[i] - 1)).isEqualTo(' ');
    }
    assertThat(chunks.length / 2).isEqualTo(5);
    assertThat(TextWindows.chunks("x".repeat(100_000)).length / 2)
        .isEqualTo(TextWindows.MAX_CHUNKS);
  }

  @Test
  void aWindowAfterPrefixesIsNamedForTheSetAndShiftsItsSpans() {
    SharedPrefixes prefixes = SharedPrefixes.learn(prompts());
    TextWindow window = TextWindows.of(TextWindows.HEAD, prefixes);
    String text = SYSTEM + shots("law") + "Which statute is oldest?";

    assertThat(window.name()).isEqualTo("head,after:" + prefixes.digest());
    int[] spans = window.spans(text);
    assertThat(text.substring(spans[0], spans[1])).isEqualTo("Which statute is oldest?");
    assertThat(TextWindows.describe(spans, text.length()))
        .isEqualTo(spans[0] + "-" + text.length() + " of " + text.length());
    assertThat(TextWindows.of(TextWindows.HEAD, SharedPrefixes.NONE)).isSameAs(TextWindow.WHOLE);
    assertThat(TextWindows.of(TextWindows.TAIL, new SharedPrefixes(prefixes.prefixes())).name())
        .isEqualTo("tail,after:" + prefixes.digest());
  }
}
