package dev.signalbox.core.routing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.signalbox.api.ChatRequest;
import dev.signalbox.api.DecisionRecord;
import dev.signalbox.api.DeploymentState;
import dev.signalbox.api.PoolSnapshot;
import dev.signalbox.api.TextWindow;
import dev.signalbox.core.TestConfigs;
import dev.signalbox.core.config.GatewayConfig;
import dev.signalbox.core.text.SharedPrefixes;
import dev.signalbox.core.text.TextWindows;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** A decision re-run from the signals its record kept is the same decision, reads included. */
@Timeout(10)
class RecordedSignalsTest {
  private static final String ROUTES =
      """
      - name: auto
        policy: rules
        rules:
          - {name: hard, keywords: [prove, derive], route: strong}
          - {name: order, regex: '#\\d{4}', route: split}
          - {name: gold, header: {name: x-tier, value: gold}, route: strong}
          - {name: long, prompt-tokens: {min: 2000}, route: strong}
        default: split
      - name: split
        models: [small, medium, large]
        policy: weighted
        weights: {small: 5, medium: 3, large: 2}
        default-max-tokens: 300
      - name: strong
        models: [large]
        policy: priority
        fallbacks: [medium, small]
        default-max-tokens: 2000
      """;
  private final GatewayConfig config = TestConfigs.read(TestConfigs.pool(ROUTES));
  private final Router router = new Router(config, TestConfigs.policies(), TestConfigs.services());

  private static final List<String> BODIES =
      List.of(
          "{\"model\":\"auto\",\"messages\":[{\"role\":\"user\",\"content\":\"please derive the"
              + " formula\"}]}",
          "{\"model\":\"auto\",\"messages\":[{\"role\":\"user\",\"content\":\"where is order"
              + " #1234?\"}]}",
          "{\"model\":\"auto\",\"max_tokens\":50,\"messages\":[{\"role\":\"user\",\"content\":\"hello\"}]}",
          "{\"model\":\"auto\",\"messages\":[{\"role\":\"user\",\"content\":\""
              + "many words ".repeat(1_500)
              + "\"}]}",
          "{\"model\":\"auto\",\"tools\":[{\"type\":\"function\",\"function\":{\"name\":\"f\",\"parameters\":{}}}],\"messages\":[{\"role\":\"user\",\"content\":\"call"
              + " it\"}]}",
          "{\"model\":\"split\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}",
          "{\"model\":\"small\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}",
          "{\"model\":\"nowhere\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}");

  @Test
  void replayingEveryRecordedDecisionGivesTheSameDecision() {
    PoolSnapshot pool =
        new PoolSnapshot(
            Map.of("small-a", DeploymentState.of(3, 2), "large-a", DeploymentState.of(1, 0)));
    int seed = 0;
    for (String body : BODIES) {
      for (Map<String, String> headers :
          List.<Map<String, String>>of(Map.of(), Map.of("x-tier", "gold"))) {
        seed++;
        ChatRequest request = Requests.of(body);
        DecisionRecord live =
            router.decide(Requests.signals(request, headers), seed, pool).record();
        RecordedSignals recorded =
            new RecordedSignals(
                request.model(),
                "t",
                live.signals(),
                List.of(),
                OptionalLong.empty(),
                1_000,
                TestConfigs.signals());
        DecisionRecord replayed = router.decide(recorded, seed, pool).record();
        assertThat(replayed).as(body + " " + headers).isEqualTo(live);
      }
    }
  }

  /**
   * A prompt-length rule counts tokens only when the bound that costs no tokenizing (one token at
   * most per UTF-8 byte) leaves it in doubt: a short prompt is below the long rule's minimum at
   * once.
   */
  @Test
  void aPromptLengthRuleCountsTokensOnlyWhenTheBoundLeavesItInDoubt() {
    DecisionRecord hello =
        router.decide(Requests.signals(Requests.of(BODIES.get(2))), 1, PoolSnapshot.EMPTY).record();
    assertThat(hello.signals())
        .containsKey(RoutingSignals.PROMPT_TOKENS_AT_MOST)
        .doesNotContainKey(RoutingSignals.PROMPT_TOKENS);
    assertThat(hello.routes()).containsExactly("auto", "split");
    DecisionRecord many =
        router.decide(Requests.signals(Requests.of(BODIES.get(3))), 1, PoolSnapshot.EMPTY).record();
    assertThat(many.signals()).containsKey(RoutingSignals.PROMPT_TOKENS);
    assertThat(many.routes()).containsExactly("auto", "strong");
  }

  @Test
  void keywordAndRegexHitsAreRecordedButNotTheText() {
    DecisionRecord live =
        router.decide(Requests.signals(Requests.of(BODIES.get(1))), 1, PoolSnapshot.EMPTY).record();
    assertThat(live.signals())
        .containsEntry("keywords:prove|derive", "")
        .containsEntry("regex:#\\d{4}", true)
        .doesNotContainKey("last_user_text")
        .containsEntry("max_output_tokens_from", "route-default");
    assertThat(live.signals().toString()).doesNotContain("order #1234");
  }

  @Test
  void anotherConfigsPolicyThatReadsMoreIsAnsweredFromThePromptOrRefused() {
    DecisionRecord live =
        router.decide(Requests.signals(Requests.of(BODIES.get(5))), 1, PoolSnapshot.EMPTY).record();
    Router other =
        new Router(
            TestConfigs.read(
                TestConfigs.pool(
                    """
                    - name: split
                      policy: rules
                      rules:
                        - {name: hard, keywords: [hi], route: strong}
                        - {name: gold, header: {name: x-tier, value: gold}, route: strong}
                      default: strong
                    - name: strong
                      models: [large]
                      policy: priority
                    """)),
            TestConfigs.policies(),
            TestConfigs.services());
    RecordedSignals withoutPrompt =
        new RecordedSignals(
            "split",
            "t",
            live.signals(),
            List.of(),
            OptionalLong.empty(),
            1_000,
            TestConfigs.signals());
    assertThatThrownBy(() -> other.decide(withoutPrompt, 1, PoolSnapshot.EMPTY))
        .isInstanceOf(RecordedSignals.Unrecorded.class)
        .hasMessageContaining("'keywords:hi'")
        .hasMessageContaining("record-prompts");
    ChatRequest request = Requests.of(BODIES.get(5));
    RecordedSignals withPrompt =
        new RecordedSignals(
            "split",
            "t",
            live.signals(),
            request.messages(),
            OptionalLong.empty(),
            1_000,
            TestConfigs.signals());
    DecisionRecord replayed = other.decide(withPrompt, 1, PoolSnapshot.EMPTY).record();
    assertThat(replayed.routes()).containsExactly("split", "strong");
    assertThat(replayed.signals()).containsEntry("keywords:hi", "hi");

    Router readsHeader =
        new Router(
            TestConfigs.read(
                TestConfigs.pool(
                    """
                    - name: split
                      policy: rules
                      rules:
                        - {name: gold, header: {name: x-tier, value: gold}, route: strong}
                      default: strong
                    - name: strong
                      models: [large]
                      policy: priority
                    """)),
            TestConfigs.policies(),
            TestConfigs.services());
    assertThatThrownBy(() -> readsHeader.decide(withPrompt, 1, PoolSnapshot.EMPTY))
        .isInstanceOf(RecordedSignals.Unrecorded.class)
        .hasMessageContaining("'header:x-tier' was not recorded");
  }

  @Test
  void aWindowedEmbeddingRecordsItsSpansNotItsTextAndReplaysToTheSameVector() {
    String system = "Shared instructions that every prompt of this app begins with. ".repeat(8);
    List<String> texts = new java.util.ArrayList<>();
    for (int i = 0; i < 6; i++) {
      texts.add(system + "\nquestion " + i);
    }
    TextWindow window = TextWindows.of(TextWindows.TAIL, SharedPrefixes.learn(texts));
    String text = system + "\nwhat is the capital of France?";
    ChatRequest request = Requests.user("auto", text.replace("\n", "\\n"));
    RequestSignals live = Requests.signals(request);

    float[] vector = live.embedding("last-user", window, "");

    String key = "last-user|" + window.name();
    assertThat(window.name()).startsWith("tail,after:");
    assertThat(live.read())
        .containsEntry(
            "embedded:" + key, system.length() + 1 + "-" + text.length() + " of " + text.length())
        .containsKey("embedding:" + key);
    assertThat(live.read().toString()).doesNotContain("capital of France");
    assertThat(vector)
        .containsExactly(
            TestConfigs.signals().embeddings().get().embed("what is the capital of France?"));
    for (List<dev.signalbox.api.ChatMessage> prompt :
        List.of(List.<dev.signalbox.api.ChatMessage>of(), request.messages())) {
      RecordedSignals fromRecord =
          new RecordedSignals(
              "auto", "t", live.read(), prompt, OptionalLong.empty(), 1_000, TestConfigs.signals());
      assertThat(fromRecord.embedding("last-user", window, "")).containsExactly(vector);
    }
    Map<String, Object> withoutVector = new java.util.HashMap<>(live.read());
    withoutVector.remove("embedding:" + key);
    RecordedSignals again =
        new RecordedSignals(
            "auto",
            "t",
            withoutVector,
            request.messages(),
            OptionalLong.empty(),
            1_000,
            TestConfigs.signals());
    assertThat(again.embedding("last-user", window, "")).containsExactly(vector);
    assertThat(again.read()).containsEntry("embedded:" + key, live.read().get("embedded:" + key));
  }

  @Test
  void anotherEncodersEmbeddingIsKeptUnderItsOwnKeyAndAMissingEncoderIsRefused() {
    ChatRequest request = Requests.user("auto", "which model should answer this?");
    dev.signalbox.core.embed.Embeddings other =
        dev.signalbox.core.embed.Embeddings.over(
            "other", texts -> texts.stream().map(t -> new float[] {0, 1}).toList());
    dev.signalbox.core.text.SignalSources sources =
        TestConfigs.signals().withEncoder("e5-small", () -> other);
    RequestSignals live = new RequestSignals(request, Map.of(), "t", 1_000, sources);

    assertThat(live.embedding("last-user", TextWindow.WHOLE, "e5-small")).containsExactly(0, 1);
    float[] minilm = live.embedding("last-user", TextWindow.WHOLE, "minilm");
    assertThat(live.read()).containsKeys("embedding:last-user|e5-small", "embedding:last-user");
    assertThat(live.embedding("last-user")).containsExactly(minilm);
    assertThat(
            new RecordedSignals(
                    "auto",
                    "t",
                    live.read(),
                    List.of(),
                    OptionalLong.empty(),
                    1_000,
                    TestConfigs.signals())
                .embedding("last-user", TextWindow.WHOLE, "e5-small"))
        .containsExactly(0, 1);
    RequestSignals without = Requests.signals(request);
    assertThatThrownBy(() -> without.embedding("last-user", TextWindow.WHOLE, "e5-small"))
        .hasMessageContaining("no embeddings of encoder 'e5-small'");
  }
}
