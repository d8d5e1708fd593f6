package dev.signalbox.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.signalbox.core.wire.Json;
import dev.signalbox.testing.ScriptedUpstreamServer;
import dev.signalbox.testing.ScriptedUpstreamServer.Behaviour;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * An OpenAI-compatible upstream that plays a tool-using model's turns, for agents under test: asked
 * to read a file (a path in the last user message) when it has a {@code Read} tool, it calls that
 * tool; given the tool's result, it answers with the file's first word. Anything else gets a short
 * text answer. Streams and plain answers alike.
 */
final class ScriptedAgentModel {
  private static final Pattern PATH = Pattern.compile("(/[\\w.\\-/]+\\.txt)");

  private ScriptedAgentModel() {}

  static Behaviour behaviour() {
    return ScriptedUpstreamServer.byRequest(
        request -> {
          JsonNode body;
          try {
            body = Json.MAPPER.readTree(request.body());
          } catch (IOException e) {
            return ScriptedUpstreamServer.json(400, "{\"error\":{\"message\":\"not JSON\"}}");
          }
          boolean stream = body.path("stream").asBoolean(false);
          JsonNode messages = body.path("messages");
          // The last turn, past any system message the agent appended.
          JsonNode last = Json.object();
          for (int i = messages.size() - 1; i >= 0; i--) {
            if (!messages.get(i).path("role").asText().equals("system")) {
              last = messages.get(i);
              break;
            }
          }
          if (last.path("role").asText().equals("tool")) {
            String word =
                last.path("content").asText("").replaceAll("^\\W*\\d*\\W*", "").split("\\s+")[0];
            return text("The word is " + word + ".", stream);
          }
          Matcher path = PATH.matcher(last.path("content").toString());
          if (path.find() && hasTool(body, "Read")) {
            return readCall(path.group(1), stream);
          }
          return text("Hello from the scripted model.", stream);
        });
  }

  private static boolean hasTool(JsonNode body, String name) {
    for (JsonNode tool : body.path("tools")) {
      if (tool.path("function").path("name").asText().equals(name)) {
        return true;
      }
    }
    return false;
  }

  private static Behaviour text(String text, boolean stream) {
    if (!stream) {
      ObjectNode completion = completion();
      ObjectNode choice = completion.putArray("choices").addObject().put("index", 0);
      choice.putObject("message").put("role", "assistant").put("content", text);
      choice.put("finish_reason", "stop");
      usage(completion, text.split(" ").length);
      return ScriptedUpstreamServer.json(200, Json.text(completion));
    }
    List<String> events = new ArrayList<>();
    for (String word : text.split("(?<= )")) {
      ObjectNode chunk = chunk();
      chunk.putArray("choices").addObject().put("index", 0).putObject("delta").put("content", word);
      events.add("data: " + Json.text(chunk));
    }
    return streamed(events, "stop", text.split(" ").length);
  }

  private static Behaviour readCall(String path, boolean stream) {
    String arguments = Json.text(Json.object().put("file_path", path));
    if (!stream) {
      ObjectNode completion = completion();
      ObjectNode choice = completion.putArray("choices").addObject().put("index", 0);
      ObjectNode message = choice.putObject("message").put("role", "assistant");
      message.putNull("content");
      toolCall(message.putArray("tool_calls").addObject(), arguments);
      choice.put("finish_reason", "tool_calls");
      usage(completion, 20);
      return ScriptedUpstreamServer.json(200, Json.text(completion));
    }
    ObjectNode chunk = chunk();
    ObjectNode delta = chunk.putArray("choices").addObject().put("index", 0).putObject("delta");
    delta.put("role", "assistant");
    toolCall(delta.putArray("tool_calls").addObject().put("index", 0), arguments);
    return streamed(List.of("data: " + Json.text(chunk)), "tool_calls", 20);
  }

  private static void toolCall(ObjectNode call, String arguments) {
    call.put("id", "call_read_" + Integer.toHexString(arguments.hashCode()))
        .put("type", "function");
    call.putObject("function").put("name", "Read").put("arguments", arguments);
  }

  private static Behaviour streamed(List<String> events, String finishReason, int outputTokens) {
    List<String> all = new ArrayList<>(events);
    ObjectNode finish = chunk();
    finish
        .putArray("choices")
        .addObject()
        .put("index", 0)
        .put("finish_reason", finishReason)
        .putObject("delta");
    all.add("data: " + Json.text(finish));
    ObjectNode usage = chunk();
    usage.putArray("choices");
    usage(usage, outputTokens);
    all.add("data: " + Json.text(usage));
    all.add("data: [DONE]");
    return ScriptedUpstreamServer.sse(Duration.ZERO, all.toArray(String[]::new));
  }

  private static ObjectNode completion() {
    return answer("chat.completion");
  }

  private static ObjectNode chunk() {
    return answer("chat.completion.chunk");
  }

  private static ObjectNode answer(String object) {
    return Json.object()
        .put("id", "chatcmpl-scripted")
        .put("object", object)
        .put("created", 1)
        .put("model", "scripted-agent");
  }

  private static void usage(ObjectNode body, int outputTokens) {
    body.putObject("usage")
        .put("prompt_tokens", 100)
        .put("completion_tokens", outputTokens)
        .put("total_tokens", 100 + outputTokens);
  }
}
