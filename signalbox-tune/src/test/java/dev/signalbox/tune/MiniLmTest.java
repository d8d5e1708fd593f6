package dev.signalbox.tune;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.signalbox.core.embed.OnnxModel;
import dev.signalbox.core.embed.SentenceEncoder;
import dev.signalbox.core.embed.TunedLayers;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class MiniLmTest {
  private static final List<String> TEXTS =
      List.of(
          "What is the capital of France?",
          "Write a Python function that merges two sorted lists in linear time.",
          "hi");

  private static OnnxModel onnx;
  private static SentenceEncoder reference;

  @BeforeAll
  static void load() {
    onnx = OnnxModel.read(TunedLayers.baseModel());
    reference = SentenceEncoder.load(EncoderTuner.BASE);
  }

  @AfterAll
  static void close() {
    reference.close();
  }

  @Test
  void readsTheFilesLinearLayersThroughTheirBiases() {
    assertThat(onnx.weightOfBias()).containsKey("encoder.layer.5.output.dense.bias");
    OnnxModel.Initializer up =
        onnx.initializer(onnx.weightOfBias().get("encoder.layer.0.intermediate.dense.bias"));
    assertThat(up.dims()).containsExactly(384L, 1536L);
  }

  @Test
  void theForwardPassInPyTorchGivesOnnxRuntimesVectors() {
    try (NDManager manager = NDManager.newBaseManager()) {
      MiniLm model = MiniLm.load(onnx, manager);
      List<long[]> pieces = TEXTS.stream().map(reference::pieces).toList();
      int width = pieces.stream().mapToInt(p -> p.length).max().orElseThrow();
      NDArray mask = MiniLm.mask(pieces, width, manager);
      NDArray pooled =
          MiniLm.pooled(model.run(model.embed(pieces, width, manager), mask, 0, 6), mask);
      for (int i = 0; i < TEXTS.size(); i++) {
        float[] ours = pooled.get(i).toFloatArray();
        float[] theirs = reference.encode(TEXTS.get(i));
        for (int d = 0; d < ours.length; d++) {
          assertThat(ours[d]).as("text %d, dimension %d", i, d).isCloseTo(theirs[d], within(2e-4f));
        }
      }
    }
  }

  @Test
  void aModelWithReplacedWeightsReadsThemBack() {
    String name = "encoder.layer.5.output.LayerNorm.bias";
    float[] original = onnx.floats(name);
    float[] changed = original.clone();
    changed[7] += 1;
    OnnxModel tuned = OnnxModel.read(onnx.withFloats(java.util.Map.of(name, changed)));
    assertThat(tuned.floats(name)).containsExactly(changed);
    assertThat(onnx.floats(name)).as("the original is untouched").containsExactly(original);
  }
}
