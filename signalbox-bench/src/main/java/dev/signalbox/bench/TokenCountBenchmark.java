package dev.signalbox.bench;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.signalbox.api.ChatRequest;
import dev.signalbox.core.text.TokenCounter;
import dev.signalbox.core.wire.ChatRequestParser;
import dev.signalbox.core.wire.Json;
import java.nio.charset.StandardCharsets;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Counting a coding agent's prompt, as a cost-aware route or a spend limit does for every step of
 * its session: a system prompt of about 12 KB, 16 tools with their schemas, and a history of tool
 * calls and file contents, about {@code historyKb} KB in all. Each step parses the request's body
 * again (fresh strings, as serving does) and counts it; {@code step} is the session's first request
 * (no text seen before) or a later one (all but its last two messages seen in the step before).
 * {@code rememberedChars} 0 counts every text; otherwise the counter remembers the counts of texts
 * of 256 characters or more, up to that many characters. {@code parseOnly} is the floor: the parse
 * without the count.
 *
 * <pre>bash signalbox-bench/run-jmh.sh TokenCountBenchmark</pre>
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(
    value = 1,
    jvmArgs = {"-Xms112m", "-Xmx112m", "-XX:+UseG1GC"})
public class TokenCountBenchmark {
  private static final String[] WORDS =
      ("the file function returns a value when called with arguments public "
              + "static final class import java.util.List; return if else for (int i = "
              + "0; i++) { } // TODO: read write path "
              + "src/main/java/dev/example/Service.java Always use tool before "
              + "editing. Never guess paths; list directory first. user asks to "
              + "refactor test passes assertThat(result).isEqualTo(42); String name "
              + "config.yaml error: cannot find symbol line 42 column 7 npm run build "
              + "git diff --stat commit message should explain why, not what.")
          .split(" ");

  @Param({"first", "later"})
  public String step;

  @Param({"0", "1048576"})
  public long rememberedChars;

  @Param({"100"})
  public int historyKb;

  private byte[] before;
  private byte[] body;
  private TokenCounter counter;

  @Setup
  public void setUp() {
    SplittableRandom random = new SplittableRandom(7);
    ObjectNode request = Json.object().put("model", "auto");
    ArrayNode messages = request.putArray("messages");
    messages.addObject().put("role", "system").put("content", text(random, 12 * 1024));
    int turn = 0;
    while (Json.text(request).length() < historyKb * 1024) {
      messages.addObject().put("role", "user").put("content", text(random, 300));
      ObjectNode call = messages.addObject().put("role", "assistant");
      call.putNull("content");
      call.putArray("tool_calls")
          .addObject()
          .put("id", "c" + turn)
          .put("type", "function")
          .putObject("function")
          .put("name", "read_file")
          .put("arguments", "{\"path\":\"src/" + turn + ".java\"}");
      messages
          .addObject()
          .put("role", "tool")
          .put("tool_call_id", "c" + turn)
          .put("content", text(random, 1024 + random.nextInt(4 * 1024)));
      turn++;
    }
    ArrayNode tools = request.putArray("tools");
    for (int t = 0; t < 16; t++) {
      ObjectNode function =
          tools
              .addObject()
              .put("type", "function")
              .putObject("function")
              .put("name", "tool_" + t)
              .put("description", text(random, 1200));
      ObjectNode properties =
          function.putObject("parameters").put("type", "object").putObject("properties");
      for (int p = 0; p < 4; p++) {
        properties
            .putObject("arg_" + p)
            .put("type", "string")
            .put("description", text(random, 120));
      }
    }
    ObjectNode earlier = request.deepCopy();
    ArrayNode earlierMessages = (ArrayNode) earlier.get("messages");
    earlierMessages.remove(earlierMessages.size() - 1);
    earlierMessages.remove(earlierMessages.size() - 1);
    before = Json.text(earlier).getBytes(StandardCharsets.UTF_8);
    body = Json.text(request).getBytes(StandardCharsets.UTF_8);
  }

  /** Each measured step starts from a counter that has seen the step before, or nothing. */
  @Setup(Level.Invocation)
  public void forget() {
    counter = new TokenCounter(rememberedChars);
    if (step.equals("later")) {
      ChatRequest seen = ChatRequestParser.parse(before);
      counter.countPrompt(seen.messages(), seen.tools());
    }
  }

  @Benchmark
  public long count() {
    ChatRequest request = ChatRequestParser.parse(body);
    return counter.countPrompt(request.messages(), request.tools());
  }

  @Benchmark
  public int parseOnly() {
    return ChatRequestParser.parse(body).messages().size();
  }

  private static String text(SplittableRandom random, int chars) {
    StringBuilder out = new StringBuilder(chars + 16);
    while (out.length() < chars) {
      out.append(WORDS[random.nextInt(WORDS.length)]).append(random.nextInt(12) == 0 ? '\n' : ' ');
    }
    return out.toString();
  }
}
