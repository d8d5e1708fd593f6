package dev.signalbox.core.embeddings;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import dev.signalbox.core.wire.Json;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.Test;

class HashedVectorsTest {
  private static double dot(float[] a, float[] b) {
    double sum = 0;
    for (int i = 0; i < a.length; i++) {
      sum += (double) a[i] * b[i];
    }
    return sum;
  }

  @Test
  void vectorsAreUnitLengthDeterministicAndAlikeForSharedWords() {
    float[] cat = HashedVectors.of("The cat sat on the mat.", 128);
    assertThat(dot(cat, cat)).isCloseTo(1.0, within(1e-5));
    assertThat(HashedVectors.of("the CAT sat on the mat", 128)).containsExactly(cat);
    double near = dot(cat, HashedVectors.of("a cat on a mat", 128));
    double far = dot(cat, HashedVectors.of("quarterly revenue grew", 128));
    assertThat(near).isGreaterThan(far);
    float[] punctuation = HashedVectors.of("?!", 16);
    assertThat(dot(punctuation, punctuation)).isCloseTo(1.0, within(1e-5));
  }

  @Test
  void base64IsLittleEndianFloat32AsOpenAiSendsIt() {
    JsonNode request = Json.object().put("encoding_format", "base64");
    float[] vector = {0.5f, -0.25f};
    JsonNode reply = EmbeddingsReply.of(request, List.of(vector), "m", 3);
    byte[] bytes = Base64.getDecoder().decode(reply.path("data").get(0).path("embedding").asText());
    ByteBuffer buffer = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
    assertThat(buffer.getFloat()).isEqualTo(0.5f);
    assertThat(buffer.getFloat()).isEqualTo(-0.25f);
    assertThat(reply.path("usage").path("total_tokens").asLong()).isEqualTo(3);
  }
}
