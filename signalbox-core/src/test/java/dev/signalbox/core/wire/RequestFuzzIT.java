package dev.signalbox.core.wire;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.signalbox.api.ErrorKind;
import dev.signalbox.api.SignalboxException;
import dev.signalbox.core.trace.Feedback;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Locale;

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
      assertClear(e, body);
    }
    try {
      Feedback.parse(body, Instant.EPOCH);
    } catch (SignalboxException e) {
      assertClear(e, body);
    }
  }

  private static void assertClear(SignalboxException e, byte[] body) {
    assertThat(e.kind()).isEqualTo(ErrorKind.INVALID_REQUEST);
    assertThat(e.getMessage()).isNotBlank().hasSizeLessThan(1_000);
    // A value the client sent is quoted back, so the parser's words count only if not sent.
    String sent = new String(body, StandardCharsets.ISO_8859_1).toLowerCase(Locale.ROOT);
    for (String internal : List.of("com.fasterxml", "jackson", "streamreadconstraints")) {
      if (!sent.contains(internal)) {
        assertThat(e.getMessage().toLowerCase(Locale.ROOT)).doesNotContain(internal);
      }
    }
  }
}
