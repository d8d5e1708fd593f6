package dev.signalbox.core.wire;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class PlainChunkTest {
  private static final String HEAD =
      "{\"id\":\"c1\",\"object\":\"chat.completion.chunk\",\"created\":1,\"model\":\"m\",";

  @Test
  void aTextChunkIsPlainWithItsText() {
    assertThat(
            PlainChunk.text(
                HEAD
                    + "\"choices\":[{\"index\":0,\"delta\":{\"content\":\"Hel\\\"lo\"},"
                    + "\"finish_reason\":null,\"logprobs\":null}],\"usage\":null}"))
        .contains("Hel\"lo");
  }

  @Test
  void aChunkWithoutContentIsPlainWithNoText() {
    assertThat(
            PlainChunk.text(
                HEAD + "\"choices\":[{\"index\":0,\"delta\":{\"role\":\"assistant\"}}]}"))
        .contains("");
  }

  @Test
  void contentOutsideTheFirstChoicesDeltaIsNotItsText() {
    assertThat(
            PlainChunk.text(
                "{\"content\":\"top\",\"choices\":[{\"index\":0,\"message\":{\"content\":\"m\"},"
                    + "\"delta\":{\"content\":\"d\"}}]}"))
        .contains("d");
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        // what the gateway must read: usage, the end, tool calls, errors, a second choice
        "\"choices\":[],\"usage\":{\"prompt_tokens\":1,\"completion_tokens\":2}}",
        "\"choices\":[{\"index\":0,\"delta\":{},\"finish_reason\":\"stop\"}]}",
        "\"choices\":[{\"index\":0,\"delta\":{\"tool_calls\":[{\"index\":0}]}}]}",
        "\"choices\":[{\"index\":0,\"delta\":{\"function_call\":{\"name\":\"f\"}}}]}",
        "\"error\":{\"message\":\"overloaded\"}}",
        "\"choices\":[{\"index\":0,\"delta\":{\"content\":\"a\"}},{\"index\":1,\"delta\":{}}]}",
        // not a chunk at all
        "\"object\":\"x\"}",
        "\"choices\":[{\"delta\":{\"content\":\"unterminated\"}"
      })
  void anythingElseIsNotPlain(String tail) {
    assertThat(PlainChunk.text(HEAD + tail)).isEmpty();
  }

  @Test
  void notAnObjectIsNotPlain() {
    assertThat(PlainChunk.text("[1,2]")).isEmpty();
    assertThat(PlainChunk.text("nonsense")).isEmpty();
  }
}
