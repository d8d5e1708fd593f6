package dev.signalbox.core.wire;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.signalbox.api.ErrorKind;
import dev.signalbox.api.SignalboxException;
import dev.signalbox.core.trace.Feedback;
import java.time.Instant;

/**
 * Coverage-guided fuzzing (Jazzer) of what reads a client's body: whatever the bytes, the answer is
 * a request or a 400 in plain words, never another exception, a 5xx, or the parser's internals.
 * Bounded by {@code maxDuration}; the build runs it with {@code JAZZER_FUZZ=1}.
 */
class RequestFuzzIT {
  @FuzzTest(maxDuration = "30s")
  void anyBodyIsARequestOrAClear400(byte[] body) {
    try {
      ChatRequestParser.parse(body);
    } catch (SignalboxException e) {
      assertClear(e);
    }
    try {
      Feedback.parse(body, Instant.EPOCH);
    } catch (SignalboxException e) {
      assertClear(e);
    }
  }

  private static void assertClear(SignalboxException e) {
    assertThat(e.kind()).isEqualTo(ErrorKind.INVALID_REQUEST);
    assertThat(e.getMessage())
        .isNotBlank()
        .hasSizeLessThan(1_000)
        .doesNotContain("com.fasterxml")
        .doesNotContain("jackson")
        .doesNotContain("StreamReadConstraints");
  }
}
