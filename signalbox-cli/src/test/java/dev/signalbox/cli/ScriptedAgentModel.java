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
 * to read a file (a path in the last user message), it calls the agent's tool for it (Claude Code's
 * {@code Read}, or Codex's {@code exec_command} running {@code cat}); given the tool's result, it
 * answers with the file's word. Anything else gets a short text answer. Streams and plain answers
 * alike.
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
            return text("The word is " + lastWord(last.path("content").asText("")) + ".", stream);
          }
          Matcher path = PATH.matcher(last.path("content").toString());
          if (path.find() && hasTool(body, "Read")) {
            return readCall("Read", Json.object().put("file_path", path.group(1)), stream);
          }
          if (path.find(0) && hasTool(body, "exec_command")) {
            return readCall(
                "exec_command", Json.object().put("cmd", "cat " + path.group(1)), stream);
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

  /**
   * The file's word in a tool's output: the last word of its last line with letters, past line
   * numbers and the reminders an agent appends in tags.
   */
  private static String lastWord(String output) {
    String[] lines =
        output.replaceAll("(?s)<system-reminder>.*?</system-reminder>", "").strip().split("\\R");
    for (int i = lines.length - 1; i >= 0; i--) {
      String[] words = lines[i].strip().split("[^\\p{L}]+");
      if (words.length > 0 && !words[words.length - 1].isEmpty()) {
        return words[words.length - 1];
      }
    }
    return "";
  }

  private static Behaviour readCall(String tool, ObjectNode input, boolean stream) {
    String arguments = Json.text(input);
    if (!stream) {
      ObjectNode completion = completion();
      ObjectNode choice = completion.putArray("choices").addObject().put("index", 0);
      ObjectNode message = choice.putObject("message").put("role", "assistant");
      message.putNull("content");
      toolCall(message.putArray("tool_calls").addObject(), tool, arguments);
      choice.put("finish_reason", "tool_calls");
      usage(completion, 20);
      return ScriptedUpstreamServer.json(200, Json.text(completion));
    }
    ObjectNode chunk = chunk();
    ObjectNode delta = chunk.putArray("choices").addObject().put("index", 0).putObject("delta");
    delta.put("role", "assistant");
    toolCall(delta.putArray("tool_calls").addObject().put("index", 0), tool, arguments);
    return streamed(List.of("data: " + Json.text(chunk)), "tool_calls", 20);
  }

  private static void toolCall(ObjectNode call, String tool, String arguments) {
    call.put("id", "call_read_" + Integer.toHexString(arguments.hashCode()))
        .put("type", "function");
    call.putObject("function").put("name", tool).put("arguments", arguments);
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
