package dev.signalbox.bench;

import dev.signalbox.api.TextWindow;
import dev.signalbox.core.embed.EncoderModel;
import dev.signalbox.core.embed.SentenceEncoder;
import dev.signalbox.core.embed.TextEmbedder;
import dev.signalbox.core.text.SharedPrefixes;
import dev.signalbox.core.text.TextWindows;
import dev.signalbox.core.text.TokenCounter;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
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
 * What the default encoder's decision costs as prompts grow (issue 19: at most 1 ms more at the
 * median for a 4,000-token prompt than for a short one): the window's cut and the model on a prompt
 * of {@code tokens} cl100k tokens, each call a text not seen before (a number changes in it),
 * through the {@code window} a route would read, spans embedded one after another with no cache.
 * Sample time gives p50 and p99. Run in process ({@code -f 0}): a forked JMH JVM's long class path
 * crashes ONNX Runtime.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 2, time = 5)
@Measurement(iterations = 3, time = 5)
public class EmbeddingLengthBenchmark {
  @Param({"60", "500", "4000"})
  public int tokens;

  @Param({"head", "tail", "chunks"})
  public String window;

  /** {@code minilm-full-128}: the graph a tuned encoder runs (full precision, 128 word pieces). */
  @Param({"minilm", "minilm-128", "e5-small", "minilm-full-128"})
  public String encoder;

  private SentenceEncoder model;
  private TextEmbedder embedder;
  private TextWindow cut;
  private String text;
  private final AtomicInteger next = new AtomicInteger();

  @Setup(Level.Trial)
  public void setUp() {
    model =
        SentenceEncoder.shared(
            encoder.equals(EncoderModel.MINILM_FULL_128.name())
                ? EncoderModel.MINILM_FULL_128
                : EncoderModel.named(encoder));
    embedder =
        new TextEmbedder() {
          @Override
          public String modelId() {
            return model.model().id();
          }

          @Override
          public float[] embed(String text) {
            return model.encode(text);
          }
        };
    cut = TextWindows.of(window, SharedPrefixes.NONE);
    TokenCounter counter = new TokenCounter();
    StringBuilder built = new StringBuilder();
    int sentence = 0;
    while (counter.count(built.toString()) < tokens) {
      built.append(
          switch (sentence++ % 3) {
            case 0 -> "The committee reviewed the quarterly figures and asked why costs rose. ";
            case 1 -> "Which of the following best explains the change in the enzyme's rate? ";
            default -> "A. the substrate ran out B. the temperature fell C. an inhibitor. ";
          });
    }
    text = built.toString();
    System.err.printf(
        "%d tokens: %d characters, %d word pieces%n",
        tokens, text.length(), model.wordPieces(text));
  }

  @Benchmark
  public float[] decision() {
    String prompt = next.incrementAndGet() + " " + text;
    return embedder.embed(prompt, cut.spans(prompt));
  }
}
