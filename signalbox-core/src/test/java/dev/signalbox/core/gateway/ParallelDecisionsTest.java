package dev.signalbox.core.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.signalbox.api.UpstreamReply;
import dev.signalbox.api.Usage;
import dev.signalbox.core.TestConfigs;
import dev.signalbox.core.config.GatewayConfig;
import dev.signalbox.core.embed.Embeddings;
import dev.signalbox.core.text.SignalSources;
import dev.signalbox.core.wire.ChatRequestParser;
import dev.signalbox.core.wire.Json;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Deciding takes no gateway-wide lock: two requests on a route that embeds their prompts are inside
 * the embedder at the same time. Under a lock around deciding, the second would wait for the first
 * to finish embedding, and the first would wait in vain for the second.
 */
@Timeout(30)
class ParallelDecisionsTest {
  @Test
  void twoCallersOfAnEmbeddingRouteEmbedTheirPromptsInParallel() throws Exception {
    CountDownLatch bothEmbedding = new CountDownLatch(2);
    ConcurrentLinkedQueue<Boolean> sawTheOther = new ConcurrentLinkedQueue<>();
    Embeddings embedder =
        Embeddings.over(
            "blocking",
            texts -> {
              for (String text : texts) {
                if (text.startsWith("parallel")) {
                  bothEmbedding.countDown();
                  try {
                    sawTheOther.add(bothEmbedding.await(5, TimeUnit.SECONDS));
                  } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                  }
                }
              }
              return texts.stream()
                  .map(t -> t.contains("code") ? new float[] {1, 0} : new float[] {0, 1})
                  .toList();
            });
    GatewayConfig config =
        TestConfigs.read(
            TestConfigs.pool(
                """
                - name: triage
                  policy: rules
                  domains:
                    k: 1
                    min-confidence: 0
                    exemplars:
                      code: ["code one", "code two"]
                      chat: ["chat one", "chat two"]
                  rules:
                    - {name: code, domain: [code], route: large-only}
                  default: small-only
                - {name: large-only, models: [large]}
                - {name: small-only, models: [small]}
                """));
    try (Gateway gateway =
        Gateway.create(
            config,
            Gateway.Settings.builder()
                .upstreams(deployment -> call -> answer())
                .policies(TestConfigs.policies())
                .signals(new SignalSources(TestConfigs.tokens(), () -> embedder))
                .build())) {
      List<Thread> callers =
          List.of("parallel code question", "parallel chat question").stream()
              .map(
                  prompt ->
                      Thread.ofPlatform()
                          .start(
                              () -> {
                                try {
                                  gateway.handle(
                                      ChatRequestParser.parse(
                                          ("{\"model\":\"triage\",\"messages\":[{\"role\":\"user\",\"content\":\""
                                                  + prompt
                                                  + "\"}]}")
                                              .getBytes(StandardCharsets.UTF_8)),
                                      new Caller("t", Set.of(), Map.of()));
                                } catch (InterruptedException e) {
                                  Thread.currentThread().interrupt();
                                }
                              }))
              .toList();
      for (Thread caller : callers) {
        caller.join(20_000);
      }
    }
    assertThat(sawTheOther).hasSize(2).containsOnly(true);
  }

  private static UpstreamReply answer() {
    ObjectNode body = Json.object();
    body.putArray("choices")
        .addObject()
        .putObject("message")
        .put("role", "assistant")
        .put("content", "ok");
    return new UpstreamReply.Completed(body, new Usage(1, 0, 1, false), "stop");
  }
}
