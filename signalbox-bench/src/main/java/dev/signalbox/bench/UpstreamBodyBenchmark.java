package dev.signalbox.bench;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.signalbox.api.ChatRequest;
import dev.signalbox.core.upstream.OpenAiUpstream;
import dev.signalbox.core.wire.ChatRequestParser;
import dev.signalbox.core.wire.Json;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The body sent to an OpenAI-compatible upstream for a 2 KB chat request (a system and a user
 * message), as the adapter builds it (the client's top level copied, the model replaced, a usage
 * request added when streaming), against the baseline of a deep copy of the client's body edited
 * the same way (what it did before). Run with {@code -prof gc} for the bytes each allocates:
 *
 * <pre>bash signalbox-bench/run-jmh.sh UpstreamBodyBenchmark -prof gc</pre>
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(
    value = 1,
    jvmArgs = {"-Xms112m", "-Xmx112m", "-XX:+UseG1GC"})
public class UpstreamBodyBenchmark {
  @Param({"false", "true"})
  public boolean stream;

  private ChatRequest request;

  @Setup
  public void setUp() {
    String text = "Please summarise the following notes for the weekly report. ".repeat(30);
    request =
        ChatRequestParser.parse(
            ("{\"model\":\"auto\",\"stream\":"
                    + stream
                    + ",\"messages\":[{\"role\":\"system\",\"content\":\"You are concise.\"},"
                    + "{\"role\":\"user\",\"content\":\""
                    + text
                    + "\"}],\"temperature\":0.2}")
                .getBytes(StandardCharsets.UTF_8));
  }

  @Benchmark
  public byte[] topLevelCopy() {
    return OpenAiUpstream.chatBody(request, "up-model");
  }

  @Benchmark
  public byte[] deepCopyBaseline() {
    ObjectNode body = request.raw().deepCopy();
    body.put("model", "up-model");
    if (request.stream()) {
      body.withObject("/stream_options").put("include_usage", true);
    }
    return Json.bytes(body);
  }
}
