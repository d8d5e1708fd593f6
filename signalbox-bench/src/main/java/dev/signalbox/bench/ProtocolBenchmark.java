package dev.signalbox.bench;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.signalbox.api.ChatRequest;
import dev.signalbox.core.gateway.ChunkWriter;
import dev.signalbox.core.messages.MessagesRequest;
import dev.signalbox.core.messages.MessagesStream;
import dev.signalbox.core.responses.ResponseContext;
import dev.signalbox.core.responses.ResponsesRequest;
import dev.signalbox.core.responses.ResponsesStream;
import dev.signalbox.core.wire.ChatRequestParser;
import dev.signalbox.core.wire.StrictJson;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.Blackhole;

/**
 * What the Messages and Responses APIs add to a stream's time to first token over chat completions:
 * everything each ingress does between the request's bytes and the client's first text event that
 * chat completions does not. For chat completions that is parsing the body (its first chunk is
 * relayed as the upstream sent it); for the other two, translating the body, parsing the
 * translation, and turning the first chunk into their opening events. The routing, dispatch and
 * upstream between them are the same for all three and are left out. Sampled, so that the report
 * has the p99:
 *
 * <pre>bash signalbox-bench/run-jmh.sh ProtocolBenchmark</pre>
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(
    value = 1,
    jvmArgs = {"-Xms112m", "-Xmx112m", "-XX:+UseG1GC"})
public class ProtocolBenchmark {
  /** A coding agent's turn in miniature: a system prompt, tools, two turns of history. */
  private static final String SYSTEM = "You are a careful coding agent. ".repeat(40);

  private static final byte[] CHAT =
      ("{\"model\":\"auto\",\"stream\":true,\"stream_options\":{\"include_usage\":true},"
              + "\"max_tokens\":1024,\"messages\":["
              + "{\"role\":\"system\",\"content\":\""
              + SYSTEM
              + "\"},{\"role\":\"user\",\"content\":\"List the files.\"},"
              + "{\"role\":\"assistant\",\"content\":null,\"tool_calls\":[{\"id\":\"c1\",\"type\":"
              + "\"function\",\"function\":{\"name\":\"shell\",\"arguments\":\"{\\\"cmd\\\":\\\"ls\\\"}\"}}]},{\"role\":\"tool\",\"tool_call_id\":\"c1\",\"content\":\"a.txt"
              + " b.txt\"},{\"role\":\"user\",\"content\":\"Now read a.txt.\"}],"
              + "\"tools\":[{\"type\":\"function\",\"function\":{\"name\":\"shell\",\"description\":\"Runs"
              + " a command\",\"parameters\":{\"type\":\"object\",\"properties\":{\"cmd\":"
              + "{\"type\":\"string\"}}}}}]}")
          .getBytes(StandardCharsets.UTF_8);

  private static final byte[] MESSAGES =
      ("{\"model\":\"auto\",\"stream\":true,\"max_tokens\":1024,\"system\":[{\"type\":\"text\","
              + "\"text\":\""
              + SYSTEM
              + "\",\"cache_control\":{\"type\":\"ephemeral\"}}],\"messages\":[{\"role\":\"user\",\"content\":\"List"
              + " the files.\"},"
              + "{\"role\":\"assistant\",\"content\":[{\"type\":\"tool_use\",\"id\":\"c1\",\"name\":"
              + "\"shell\",\"input\":{\"cmd\":\"ls\"}}]},"
              + "{\"role\":\"user\",\"content\":[{\"type\":\"tool_result\",\"tool_use_id\":\"c1\",\"content\":\"a.txt"
              + " b.txt\"},{\"type\":\"text\",\"text\":\"Now read"
              + " a.txt.\"}]}],\"tools\":[{\"name\":\"shell\",\"description\":\"Runs a"
              + " command\",\"input_schema\":"
              + "{\"type\":\"object\",\"properties\":{\"cmd\":{\"type\":\"string\"}}}}]}")
          .getBytes(StandardCharsets.UTF_8);

  private static final byte[] RESPONSES =
      ("{\"model\":\"auto\",\"stream\":true,\"store\":false,\"max_output_tokens\":1024,"
              + "\"instructions\":\""
              + SYSTEM
              + "\",\"input\":["
              + "{\"type\":\"message\",\"role\":\"user\",\"content\":[{\"type\":\"input_text\","
              + "\"text\":\"List the files.\"}]},"
              + "{\"type\":\"function_call\",\"call_id\":\"c1\",\"name\":\"shell\",\"arguments\":"
              + "\"{\\\"cmd\\\":\\\"ls\\\"}\"},"
              + "{\"type\":\"function_call_output\",\"call_id\":\"c1\",\"output\":\"a.txt b.txt\"},"
              + "{\"type\":\"message\",\"role\":\"user\",\"content\":[{\"type\":\"input_text\","
              + "\"text\":\"Now read a.txt.\"}]}],"
              + "\"tools\":[{\"type\":\"function\",\"name\":\"shell\",\"description\":\"Runs a"
              + " command\",\"parameters\":{\"type\":\"object\",\"properties\":{\"cmd\":{\"type\":"
              + "\"string\"}}}}]}")
          .getBytes(StandardCharsets.UTF_8);

  /** The upstream's first chunk, as the relay writes it to the client's writer. */
  private static final byte[] FIRST_CHUNK =
      ("data: {\"id\":\"chatcmpl-1\",\"object\":\"chat.completion.chunk\",\"created\":1,"
              + "\"model\":\"m\",\"choices\":[{\"index\":0,\"delta\":{\"role\":\"assistant\","
              + "\"content\":\"Reading\"}}]}\n\n")
          .getBytes(StandardCharsets.UTF_8);

  @Benchmark
  public void chatCompletions(Blackhole hole) throws IOException {
    hole.consume(ChatRequestParser.parse(CHAT));
    sink(hole).write(FIRST_CHUNK);
  }

  @Benchmark
  public void anthropicMessages(Blackhole hole) throws IOException {
    ChatRequest request =
        ChatRequestParser.parse(MessagesRequest.toChat(StrictJson.object(MESSAGES, "")));
    hole.consume(request);
    new MessagesStream(sink(hole)).write(FIRST_CHUNK);
  }

  @Benchmark
  public void openAiResponses(Blackhole hole) throws IOException {
    ObjectNode body = StrictJson.object(RESPONSES, "");
    ResponsesRequest translated = ResponsesRequest.of(body, List.of());
    hole.consume(ChatRequestParser.parse(translated.chat()));
    ResponseContext context =
        new ResponseContext("resp_0123456789abcdef", 1L, body, translated.customTools());
    new ResponsesStream(sink(hole), context, response -> {}).write(FIRST_CHUNK);
  }

  private static ChunkWriter sink(Blackhole hole) {
    return hole::consume;
  }
}
