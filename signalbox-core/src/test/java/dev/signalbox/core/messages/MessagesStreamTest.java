package dev.signalbox.core.messages;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.signalbox.core.wire.Json;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class MessagesStreamTest {
  private final ByteArrayOutputStream out = new ByteArrayOutputStream();
  private final MessagesStream stream = new MessagesStream(out::write);

  private void chunk(String json) throws Exception {
    stream.write(("data: " + json + "\n\n").getBytes(StandardCharsets.UTF_8));
  }

  private record Event(String name, JsonNode data) {}

  private List<Event> events() throws Exception {
    List<Event> events = new ArrayList<>();
    for (String block : out.toString(StandardCharsets.UTF_8).split("\n\n")) {
      String[] lines = block.split("\n");
      assertThat(lines[0]).startsWith("event: ");
      assertThat(lines[1]).startsWith("data: ");
      JsonNode data = Json.MAPPER.readTree(lines[1].substring(6));
      assertThat(data.path("type").asText()).isEqualTo(lines[0].substring(7));
      events.add(new Event(lines[0].substring(7), data));
    }
    return events;
  }

  @Test
  void textThenAToolCallBecomeTwoBlocksAndTheEndCarriesStopReasonAndUsage() throws Exception {
    chunk(
        "{\"id\":\"c1\",\"model\":\"m\",\"choices\":[{\"index\":0,\"delta\":{\"role\":\"assistant\",\"content\":\"Hi\"}}]}");
    chunk(
        "{\"id\":\"c1\",\"model\":\"m\",\"choices\":[{\"index\":0,\"delta\":{\"content\":\""
            + " there\"}}]}");
    chunk(
        "{\"id\":\"c1\",\"model\":\"m\",\"choices\":[{\"index\":0,\"delta\":{\"tool_calls\":[{\"index\":0,\"id\":\"call_1\",\"type\":\"function\",\"function\":{\"name\":\"read\",\"arguments\":\"\"}}]}}]}");
    chunk(
        "{\"id\":\"c1\",\"model\":\"m\",\"choices\":[{\"index\":0,\"delta\":{\"tool_calls\":[{\"index\":0,\"function\":{\"arguments\":\"{\\\"path\\\":\"}}]}}]}");
    chunk(
        "{\"id\":\"c1\",\"model\":\"m\",\"choices\":[{\"index\":0,\"delta\":{\"tool_calls\":[{\"index\":0,\"function\":{\"arguments\":\"\\\"a\\\"}\"}}]}}]}");
    chunk(
        "{\"id\":\"c1\",\"model\":\"m\",\"choices\":[{\"index\":0,\"delta\":{},\"finish_reason\":\"tool_calls\"}]}");
    chunk(
        "{\"id\":\"c1\",\"model\":\"m\",\"choices\":[],\"usage\":{\"prompt_tokens\":30,\"completion_tokens\":7,\"prompt_tokens_details\":{\"cached_tokens\":10}}}");
    stream.write("data: [DONE]\n\n".getBytes(StandardCharsets.US_ASCII));

    List<Event> events = events();
    assertThat(events)
        .extracting(Event::name)
        .containsExactly(
            "message_start",
            "ping",
            "content_block_start",
            "content_block_delta",
            "content_block_delta",
            "content_block_stop",
            "content_block_start",
            "content_block_delta",
            "content_block_delta",
            "content_block_stop",
            "message_delta",
            "message_stop");
    assertThat(events.get(0).data().path("message").path("id").asText()).isEqualTo("msg_c1");
    assertThat(events.get(6).data().path("index").asInt()).isEqualTo(1);
    assertThat(events.get(6).data().path("content_block").path("name").asText()).isEqualTo("read");
    String json =
        events.get(7).data().path("delta").path("partial_json").asText()
            + events.get(8).data().path("delta").path("partial_json").asText();
    assertThat(Json.MAPPER.readTree(json).path("path").asText()).isEqualTo("a");
    JsonNode end = events.get(10).data();
    assertThat(end.path("delta").path("stop_reason").asText()).isEqualTo("tool_use");
    assertThat(end.path("usage").path("output_tokens").asLong()).isEqualTo(7);
    assertThat(end.path("usage").path("input_tokens").asLong()).isEqualTo(20);
    assertThat(end.path("usage").path("cache_read_input_tokens").asLong()).isEqualTo(10);
  }

  @Test
  void anErrorEventBecomesAnAnthropicErrorEvent() throws Exception {
    chunk("{\"error\":{\"message\":\"the upstream stream broke\",\"type\":\"upstream_error\"}}");
    List<Event> events = events();
    assertThat(events).extracting(Event::name).containsExactly("error");
    assertThat(events.get(0).data().path("error").path("type").asText()).isEqualTo("api_error");
  }

  private void nativeEvent(String name, String data) throws Exception {
    stream.write(("event: " + name + "\ndata: " + data + "\n\n").getBytes(StandardCharsets.UTF_8));
  }

  @Test
  void anUpstreamsOwnEventsPassAsSentAndAContinuationAfterThemOpensTheNextBlock() throws Exception {
    nativeEvent(
        "message_start",
        "{\"type\":\"message_start\",\"message\":{\"id\":\"msg_1\",\"model\":\"claude-x\"}}");
    nativeEvent(
        "content_block_start",
        "{\"type\":\"content_block_start\",\"index\":0,\"content_block\":{\"type\":\"thinking\",\"thinking\":\"\"}}");
    nativeEvent(
        "content_block_delta",
        "{\"type\":\"content_block_delta\",\"index\":0,\"delta\":{\"type\":\"signature_delta\",\"signature\":\"sig\"}}");
    nativeEvent("content_block_stop", "{\"type\":\"content_block_stop\",\"index\":0}");
    nativeEvent(
        "content_block_start",
        "{\"type\":\"content_block_start\",\"index\":1,\"content_block\":{\"type\":\"text\",\"text\":\"\"}}");
    // The upstream broke here; a continuation on a chat upstream carries on.
    chunk(
        "{\"id\":\"c1\",\"model\":\"m\",\"choices\":[{\"index\":0,\"delta\":{\"content\":\"rest\"}}]}");
    chunk(
        "{\"id\":\"c1\",\"model\":\"m\",\"choices\":[{\"index\":0,\"delta\":{},\"finish_reason\":\"stop\"}]}");
    stream.write("data: [DONE]\n\n".getBytes(StandardCharsets.US_ASCII));

    List<Event> events = events();
    assertThat(events)
        .extracting(Event::name)
        .containsExactly(
            "message_start",
            "content_block_start",
            "content_block_delta",
            "content_block_stop",
            "content_block_start",
            "content_block_stop",
            "content_block_start",
            "content_block_delta",
            "content_block_stop",
            "message_delta",
            "message_stop");
    assertThat(events.get(2).data().path("delta").path("signature").asText()).isEqualTo("sig");
    assertThat(events.get(5).data().path("index").asInt())
        .as("closes the open native block")
        .isEqualTo(1);
    assertThat(events.get(6).data().path("index").asInt()).isEqualTo(2);
    assertThat(events.get(7).data().path("delta").path("text").asText()).isEqualTo("rest");
  }

  @Test
  void aPassedThroughStreamGetsOnlyItsMessageStopAdded() throws Exception {
    nativeEvent("message_start", "{\"type\":\"message_start\",\"message\":{\"id\":\"msg_1\"}}");
    nativeEvent(
        "message_delta",
        "{\"type\":\"message_delta\",\"delta\":{\"stop_reason\":\"end_turn\"},\"usage\":{\"output_tokens\":3}}");
    chunk(
        "{\"id\":\"c1\",\"model\":\"m\",\"choices\":[],\"usage\":{\"prompt_tokens\":30,\"completion_tokens\":3}}");
    stream.write("data: [DONE]\n\n".getBytes(StandardCharsets.US_ASCII));

    assertThat(events())
        .extracting(Event::name)
        .containsExactly("message_start", "message_delta", "message_stop");
  }
}
