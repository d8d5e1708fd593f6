package dev.signalbox.core.embed;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A tuned encoder's ONNX file written by streaming (as a serving gateway loads it, its heap too
 * small to hold the model twice) is the very file that replacing the weights in memory gives.
 */
class TunedOnnxFileTest {
  private static byte[] base;
  private static OnnxModel model;
  private static Map<String, float[]> tuned;

  @TempDir Path dir;

  @BeforeAll
  static void readBase() {
    base = TunedLayers.baseModel();
    model = OnnxModel.read(base);
    tuned =
        model.initializers().keySet().stream()
            .skip(model.initializers().size() - 4)
            .collect(
                Collectors.toMap(
                    name -> name,
                    name -> {
                      float[] values = model.floats(name);
                      for (int i = 0; i < values.length; i++) {
                        values[i] = values[i] * 0.5f + i % 7;
                      }
                      return values;
                    }));
  }

  @Test
  void streamingFindsEveryInitializerWhereReadingItWholeDoes() {
    assertThat(OnnxModel.initializers(new ByteArrayInputStream(base)))
        .isEqualTo(model.initializers());
  }

  @Test
  void theStreamedTunedFileIsTheInMemoryOneByteForByte() throws IOException {
    Path file = dir.resolve("tuned.onnx");
    new TunedLayers(tuned).writeOnnx(file);
    byte[] written = Files.readAllBytes(file);
    assertThat(Arrays.equals(written, model.withFloats(tuned))).isTrue();
    assertThat(Arrays.equals(written, base)).as("the weights did change").isFalse();
  }

  @Test
  void aWeightOfAnotherSizeIsRefusedAndTheFileLeftAsItWas() throws IOException {
    Path file = Files.write(dir.resolve("base.onnx"), base);
    String name = tuned.keySet().iterator().next();
    try (FileChannel channel = FileChannel.open(file, StandardOpenOption.WRITE)) {
      assertThatThrownBy(
              () ->
                  OnnxModel.overwrite(
                      channel,
                      model.initializers(),
                      Map.of(name, new float[model.initializer(name).elements() + 1])))
          .hasMessageContaining(name + " holds");
      assertThatThrownBy(
              () ->
                  OnnxModel.overwrite(
                      channel, model.initializers(), Map.of("no-such-weight", new float[1])))
          .hasMessageContaining("no float initializer 'no-such-weight'");
    }
    assertThat(Arrays.equals(Files.readAllBytes(file), base)).isTrue();
  }
}
