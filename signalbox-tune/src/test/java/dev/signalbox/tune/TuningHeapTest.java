package dev.signalbox.tune;

import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Tuning keeps every prompt's frozen states in the heap, and says so before it starts. */
class TuningHeapTest {
  private static final long GB = 1L << 30;

  /** 11,000 prompts of 100 word pieces: 100 x 384 halves each, about 0.8 GB in all. */
  private static final List<long[]> PROMPTS = Collections.nCopies(11_000, new long[100]);

  @Test
  void aHeapTooSmallForTheStatesIsRefusedWithWhatToGiveIt() {
    assertThatThrownBy(() -> EncoderTuner.refuseWhatTheHeapCannotHold(PROMPTS, GB))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("tuning on 11,000 prompts")
        .hasMessageContaining("about 805 MB, more than half of this JVM's 1,024 MB")
        .hasMessageContaining("SIGNALBOX_JAVA_OPTS=-Xmx2g");
  }

  @Test
  void aHeapOfTwiceTheStatesTunes() {
    assertThatCode(() -> EncoderTuner.refuseWhatTheHeapCannotHold(PROMPTS, 2 * GB))
        .doesNotThrowAnyException();
  }
}
