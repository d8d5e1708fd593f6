package dev.signalbox.tune;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.signalbox.core.embed.OnnxModel;
import dev.signalbox.core.embed.SentenceEncoder;
import dev.signalbox.core.learn.CheapFeatures;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Tuning on a task whose outcomes follow what the prompt asks: one model answers programming
 * questions, the other everything else. The tuned encoder runs in ONNX Runtime, as the gateway
 * would run it.
 */
class EncoderTunerTest {
  private static final List<String> CODE =
      List.of(
          "a Python function that reverses a linked list",
          "a SQL query that finds duplicate rows",
          "a Java class for a thread-safe counter",
          "a regular expression that matches IPv4 addresses",
          "a bash script that renames every file in a folder",
          "a JavaScript promise that retries a request",
          "a Rust function that parses command-line flags",
          "a C program that copies a file byte by byte");
  private static final List<String> OTHER =
      List.of(
          "a recipe for a lemon tart",
          "a poem about the autumn sea",
          "a plan for three days in Lisbon",
          "a letter thanking a teacher",
          "a summary of the French revolution",
          "a workout for a sore back",
          "a story about a lost dog finding home",
          "advice on growing tomatoes on a balcony");
  private static final List<String> ASKS =
      List.of("Write ", "Please give me ", "I need ", "Could you draft ", "Show me ");
  private static final List<String> MODELS = List.of("coder", "writer");

  private static SentenceEncoder base;
  private static TunedEncoder tuned;
  private static final List<String> progress = new ArrayList<>();
  private static final List<long[]> pieces = new ArrayList<>();
  private static final List<double[]> quality = new ArrayList<>();

  @BeforeAll
  static void tune() {
    base = SentenceEncoder.load(EncoderTuner.BASE);
    SplittableRandom random = new SplittableRandom(7);
    for (int i = 0; i < 160; i++) {
      boolean code = random.nextBoolean();
      List<String> topics = code ? CODE : OTHER;
      // the last two topics of each kind are kept for the check below
      String text =
          ASKS.get(random.nextInt(ASKS.size())) + topics.get(random.nextInt(topics.size() - 2));
      pieces.add(base.pieces(text));
      quality.add(code ? new double[] {1, 0} : new double[] {0, 1});
    }
    tuned = tuneOnce(progress::add);
  }

  private static TunedEncoder tuneOnce(Consumer<String> progress) {
    return EncoderTuner.tune(
        pieces,
        quality.toArray(double[][]::new),
        MODELS,
        new EncoderTuner.Settings(2, 3, 1e-4, 3e-3, 0.01, 16, 16, 0.1),
        11,
        progress);
  }

  @AfterAll
  static void close() {
    base.close();
  }

  @Test
  void tunesOnlyTheTopLayersAndKeepsTheEpochThatRanksTheHeldOutPromptsBest() {
    assertThat(tuned.layers().weights().keySet())
        .allSatisfy(name -> assertThat(name).matches("(encoder\\.layer\\.[45]\\..*|onnx::.*)"))
        .hasSize(32);
    assertThat(tuned.parameters())
        .isEqualTo(2L * (4 * 384 * 384 + 2 * 384 * 1536 + 1536 + 9 * 384));
    assertThat(tuned.heldOutLoss()).hasSize(3);
    assertThat(tuned.heldOutGain()).hasSize(3);
    int kept = tuned.epoch() - 1;
    for (int epoch = 0; epoch < 3; epoch++) {
      assertThat(tuned.heldOutGain()[kept]).isGreaterThanOrEqualTo(tuned.heldOutGain()[epoch]);
      if (tuned.heldOutGain()[epoch] == tuned.heldOutGain()[kept]) {
        assertThat(tuned.heldOutLoss()[kept]).isLessThanOrEqualTo(tuned.heldOutLoss()[epoch]);
      }
    }
    assertThat(tuned.heldOutGain()[kept]).as("near the oracle's order").isGreaterThan(0.9);
    assertThat(tuned.heldOutLoss()[kept])
        .as("below the loss of always predicting the mean (ln 2)")
        .isLessThan(0.3);
    assertThat(progress).anyMatch(line -> line.startsWith("epoch 3 of 3: training loss"));
  }

  @Test
  void tuningAgainWithTheSameSeedGivesTheSameWeightsBitForBit() {
    // Native memory laid out otherwise than for the first tuning: the buffers DJL copies Java
    // arrays into land at other addresses, which must not change a bit of the result.
    List<ByteBuffer> elsewhere = new ArrayList<>();
    for (int i = 0; i < 3000; i++) {
      elsewhere.add(ByteBuffer.allocateDirect(16 + (i * 48) % 20_000 + (i % 4) * 16));
    }
    TunedEncoder again = tuneOnce(line -> {});
    assertThat(elsewhere).hasSize(3000);
    assertThat(again.heldOutLoss()).isEqualTo(tuned.heldOutLoss());
    assertThat(again.epoch()).isEqualTo(tuned.epoch());
    assertThat(again.layers().weights().keySet()).isEqualTo(tuned.layers().weights().keySet());
    tuned
        .layers()
        .weights()
        .forEach(
            (name, values) ->
                assertThat(again.layers().weights().get(name)).as(name).isEqualTo(values));
  }

  @Test
  void theTunedModelRunsInOnnxRuntimeAsItRanInTraining() {
    byte[] onnx = tuned.layers().onnx();
    try (SentenceEncoder served = SentenceEncoder.load(EncoderTuner.BASE, onnx);
        NDManager manager = NDManager.newBaseManager()) {
      MiniLm trained = MiniLm.load(OnnxModel.read(onnx), manager);
      String text = "Write " + CODE.getLast();
      List<long[]> pieces = List.of(served.pieces(text));
      int width = pieces.getFirst().length;
      NDArray mask = MiniLm.mask(pieces, width, manager);
      float[] ours =
          MiniLm.pooled(trained.run(trained.embed(pieces, width, manager), mask, 0, 6), mask)
              .toFloatArray();
      float[] theirs = served.encode(text);
      for (int d = 0; d < ours.length; d++) {
        assertThat(ours[d]).isCloseTo(theirs[d], within(2e-4f));
      }
      assertThat(theirs).isNotEqualTo(base.encode(text));
    }
  }

  @Test
  void theHeadRoutesPromptsItHasNotSeenThroughTheServedEncoder() {
    try (SentenceEncoder served = SentenceEncoder.load(EncoderTuner.BASE, tuned.layers().onnx())) {
      double[] none = new double[CheapFeatures.SIZE];
      for (String ask : ASKS) {
        for (String topic : CODE.subList(CODE.size() - 2, CODE.size())) {
          double[] predicted = tuned.head().predict(served.encode(ask + topic), none);
          assertThat(predicted[0]).as(ask + topic).isGreaterThan(predicted[1]);
        }
        for (String topic : OTHER.subList(OTHER.size() - 2, OTHER.size())) {
          double[] predicted = tuned.head().predict(served.encode(ask + topic), none);
          assertThat(predicted[1]).as(ask + topic).isGreaterThan(predicted[0]);
        }
      }
    }
  }
}
