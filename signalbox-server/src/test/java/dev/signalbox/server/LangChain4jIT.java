package dev.signalbox.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.langchain4j.agent.tool.ToolSpecification;
import dev.langchain4j.data.embedding.Embedding;
import dev.langchain4j.data.message.UserMessage;
import dev.langchain4j.model.anthropic.AnthropicChatModel;
import dev.langchain4j.model.chat.request.json.JsonObjectSchema;
import dev.langchain4j.model.chat.response.ChatResponse;
import dev.langchain4j.model.chat.response.StreamingChatResponseHandler;
import dev.langchain4j.model.openai.OpenAiChatModel;
import dev.langchain4j.model.openai.OpenAiEmbeddingModel;
import dev.langchain4j.model.openai.OpenAiStreamingChatModel;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * LangChain4j's OpenAI and Anthropic models, as a Java team would use them, against the gateway.
 */
@Timeout(60)
class LangChain4jIT {
  private static final String POOL =
      """
      deployments:
        - {name: chatter, provider: sim, model: sim-chat, sim: {answer: "Hello from the gateway."}}
        - {name: embedder, provider: sim, model: sim-embed}
      models:
        - {name: c, deployments: [chatter], capabilities: [tools]}
        - {name: e, deployments: [embedder], capabilities: [embeddings]}
      routes:
        - {name: chat, models: [c], policy: priority}
        - {name: embed, models: [e], policy: priority}
      """;

  private static GatewayHarness gateway;
  private static String base;

  @BeforeAll
  static void start() throws Exception {
    gateway = new GatewayHarness(POOL);
    base = gateway.uri("/v1").toString();
  }

  @AfterAll
  static void stop() throws Exception {
    gateway.close();
  }

  private static OpenAiChatModel.OpenAiChatModelBuilder openAi() {
    return OpenAiChatModel.builder()
        .baseUrl(base)
        .apiKey("unused-on-loopback")
        .modelName("chat")
        .timeout(Duration.ofSeconds(20));
  }

  @Test
  void openAiChatModelChatsAndCallsTools() throws Exception {
    assertThat(openAi().build().chat("Say hello")).startsWith("Hello from the gateway.");

    ToolSpecification weather =
        ToolSpecification.builder()
            .name("get_weather")
            .description("the weather in a city")
            .parameters(JsonObjectSchema.builder().addStringProperty("city").build())
            .build();
    ChatResponse calling =
        openAi()
            .build()
            .chat(
                dev.langchain4j.model.chat.request.ChatRequest.builder()
                    .messages(UserMessage.from("Weather in Oslo?"))
                    .toolSpecifications(weather)
                    .build());
    assertThat(calling.aiMessage().toolExecutionRequests())
        .singleElement()
        .satisfies(call -> assertThat(call.name()).isEqualTo("get_weather"));
  }

  @Test
  void openAiStreamingChatModelStreams() throws Exception {
    OpenAiStreamingChatModel model =
        OpenAiStreamingChatModel.builder()
            .baseUrl(base)
            .apiKey("unused-on-loopback")
            .modelName("chat")
            .build();
    StringBuilder partial = new StringBuilder();
    CompletableFuture<ChatResponse> done = new CompletableFuture<>();
    model.chat(
        "Say hello",
        new StreamingChatResponseHandler() {
          @Override
          public void onPartialResponse(String text) {
            partial.append(text);
          }

          @Override
          public void onCompleteResponse(ChatResponse response) {
            done.complete(response);
          }

          @Override
          public void onError(Throwable error) {
            done.completeExceptionally(error);
          }
        });
    ChatResponse response = done.get(20, TimeUnit.SECONDS);
    assertThat(partial.toString()).startsWith("Hello from the gateway.");
    assertThat(response.tokenUsage().outputTokenCount()).isPositive();
  }

  @Test
  void openAiEmbeddingModelEmbeds() throws Exception {
    OpenAiEmbeddingModel model =
        OpenAiEmbeddingModel.builder()
            .baseUrl(base)
            .apiKey("unused-on-loopback")
            .modelName("embed")
            .build();
    List<Embedding> vectors =
        model
            .embedAll(
                List.of(
                    dev.langchain4j.data.segment.TextSegment.from("a cat on a mat"),
                    dev.langchain4j.data.segment.TextSegment.from("the cat sat on the mat")))
            .content();
    assertThat(vectors).hasSize(2);
    assertThat(vectors.get(0).dimension()).isEqualTo(384);
    assertThat(vectors.get(0).vector()).isNotEqualTo(vectors.get(1).vector());
  }

  @Test
  void anthropicChatModelSpeaksMessages() throws Exception {
    AnthropicChatModel model =
        AnthropicChatModel.builder()
            .baseUrl(base + "/")
            .apiKey("unused-on-loopback")
            .modelName("chat")
            .maxTokens(64)
            .build();
    ChatResponse response = model.chat(UserMessage.from("Say hello"));
    assertThat(response.aiMessage().text()).startsWith("Hello from the gateway.");
  }
}
