package dev.signalbox.core.responses;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.signalbox.core.wire.Json;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class ResponsesStreamTest {
  private final ByteArrayOutputStream out = new ByteArrayOutputStream();
  private final List<ObjectNode> finished = new ArrayList<>();
  private final ResponseContext context =
      new ResponseContext(
          "resp_abc", 1_700_000_000L, Json.object("{\"store\":true}"), Set.of("apply_patch"));
  private final ResponsesStream stream = new ResponsesStream(out::write, context, finished::add);

  private void chunk(String delta) throws Exception {
    chunk(delta, null);
  }

  private void chunk(String delta, String finishReason) throws Exception {
    String choice =
        "{\"index\":0,\"delta\":"
            + delta
            + (finishReason == null ? "" : ",\"finish_reason\":\"" + finishReason + "\"")
            + "}";
    data("{\"id\":\"c1\",\"model\":\"m\",\"choices\":[" + choice + "]}");
  }

  private void data(String json) throws IOException {
    stream.write(("data: " + json + "\n\n").getBytes(StandardCharsets.UTF_8));
  }

  private record Event(String name, JsonNode data) {}

  private List<Event> events() throws Exception {
    List<Event> events = new ArrayList<>();
    int sequence = 0;
    for (String block : out.toString(StandardCharsets.UTF_8).split("\n\n")) {
      String[] lines = block.split("\n");
      JsonNode data = Json.MAPPER.readTree(lines[1].substring(6));
      assertThat(data.path("type").asText()).isEqualTo(lines[0].substring(7));
      assertThat(data.path("sequence_number").asInt()).isEqualTo(sequence++);
      events.add(new Event(lines[0].substring(7), data));
    }
    return events;
  }

  @Test
  void textAndCallsBecomeItemsAndTheEndCarriesTheWholeResponse() throws Exception {
    chunk("{\"role\":\"assistant\",\"content\":\"Hi\"}");
    chunk("{\"content\":\" there\"}");
    chunk(
        "{\"tool_calls\":[{\"index\":0,\"id\":\"call_1\",\"type\":\"function\","
            + "\"function\":{\"name\":\"exec_command\",\"arguments\":\"{\\\"cmd\\\":\"}}]}");
    chunk("{\"tool_calls\":[{\"index\":0,\"function\":{\"arguments\":\"\\\"ls\\\"}\"}}]}");
    chunk(
        "{\"tool_calls\":[{\"index\":1,\"id\":\"call_2\",\"type\":\"function\","
            + "\"function\":{\"name\":\"apply_patch\",\"arguments\":\"{\\\"input\\\":\\\"P\\\"}\"}}]}");
    chunk("{}", "tool_calls");
    data(
        "{\"id\":\"c1\",\"model\":\"m\",\"choices\":[],\"usage\":{\"prompt_tokens\":30,"
            + "\"completion_tokens\":7,\"prompt_tokens_details\":{\"cached_tokens\":10}}}");
    stream.write("data: [DONE]\n\n".getBytes(StandardCharsets.US_ASCII));

    List<Event> events = events();
    assertThat(events)
        .extracting(Event::name)
        .containsExactly(
            "response.created",
            "response.in_progress",
            "response.output_item.added",
            "response.content_part.added",
            "response.output_text.delta",
            "response.output_text.delta",
            "response.output_text.done",
            "response.content_part.done",
            "response.output_item.done",
            "response.output_item.added",
            "response.function_call_arguments.delta",
            "response.function_call_arguments.delta",
            "response.function_call_arguments.done",
            "response.output_item.done",
            "response.output_item.added",
            "response.custom_tool_call_input.delta",
            "response.custom_tool_call_input.done",
            "response.output_item.done",
            "response.completed");
    assertThat(events.get(6).data().path("text").asText()).isEqualTo("Hi there");
    assertThat(events.get(12).data().path("arguments").asText()).isEqualTo("{\"cmd\":\"ls\"}");
    assertThat(events.get(12).data().path("output_index").asInt()).isEqualTo(1);
    JsonNode custom = events.get(17).data().path("item");
    assertThat(custom.path("type").asText()).isEqualTo("custom_tool_call");
    assertThat(custom.path("input").asText()).isEqualTo("P");
    JsonNode response = events.get(18).data().path("response");
    assertThat(response.path("status").asText()).isEqualTo("completed");
    assertThat(response.path("output")).hasSize(3);
    assertThat(response.path("usage").path("input_tokens").asInt()).isEqualTo(30);
    assertThat(response.path("usage").path("input_tokens_details").path("cached_tokens").asInt())
        .isEqualTo(10);
    assertThat(finished).singleElement().hasToString(response.toString());
  }

  @Test
  void aLengthStopIsAnIncompleteResponse() throws Exception {
    chunk("{\"content\":\"cut\"}", "length");
    stream.write("data: [DONE]\n\n".getBytes(StandardCharsets.US_ASCII));
    Event last = events().get(events().size() - 1);
    assertThat(last.name()).isEqualTo("response.incomplete");
    assertThat(last.data().path("response").path("incomplete_details").path("reason").asText())
        .isEqualTo("max_output_tokens");
  }

  @Test
  void anErrorAfterTheFirstChunkFailsTheResponse() throws Exception {
    chunk("{\"content\":\"Hel\"}");
    data("{\"error\":{\"message\":\"the upstream stream broke\",\"type\":\"upstream_error\"}}");
    List<Event> events = events();
    Event last = events.get(events.size() - 1);
    assertThat(last.name()).isEqualTo("response.failed");
    assertThat(last.data().path("response").path("error").path("message").asText())
        .isEqualTo("the upstream stream broke");
    assertThat(
            last.data()
                .path("response")
                .path("output")
                .get(0)
                .path("content")
                .get(0)
                .path("text")
                .asText())
        .isEqualTo("Hel");
    assertThat(finished)
        .singleElement()
        .extracting(r -> r.path("status").asText())
        .isEqualTo("failed");
  }

  @Test
  void aCancelledStreamEndsAsCancelledAndStopsTheRelay() throws Exception {
    chunk("{\"content\":\"Hel\"}");
    stream.cancel();
    assertThatThrownBy(() -> chunk("{\"content\":\"lo\"}")).isInstanceOf(IOException.class);
    assertThat(finished)
        .singleElement()
        .extracting(r -> r.path("status").asText())
        .isEqualTo("cancelled");
    assertThat(stream.snapshot().path("status").asText())
        .as("read after the last event, before the stored copy replaces the stream")
        .isEqualTo("cancelled");
  }

  @Test
  void aStreamThatEndedReadsAsItEnded() throws Exception {
    chunk("{\"content\":\"cut\"}", "length");
    assertThat(stream.snapshot().path("status").asText()).isEqualTo("in_progress");
    stream.write("data: [DONE]\n\n".getBytes(StandardCharsets.US_ASCII));
    assertThat(stream.snapshot().path("status").asText()).isEqualTo("incomplete");
    assertThat(stream.snapshot().path("output").get(0).path("content").get(0).path("text").asText())
        .isEqualTo("cut");
  }
}
