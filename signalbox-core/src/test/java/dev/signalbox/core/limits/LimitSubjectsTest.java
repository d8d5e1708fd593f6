package dev.signalbox.core.limits;

import static org.assertj.core.api.Assertions.assertThat;

import dev.signalbox.core.config.LimitSettings;
import dev.signalbox.core.config.LimitSpec;
import java.time.Duration;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;

class LimitSubjectsTest {
  private static final LimitSpec ONE_A_MINUTE =
      new LimitSpec(
          OptionalInt.of(1),
          OptionalLong.empty(),
          OptionalInt.empty(),
          Optional.empty(),
          Optional.empty());

  @Test
  void theFlagKeepsTheUserAndTheSessionAsDigestsAndTheTagsAsSent() {
    LimitSubjects subjects =
        LimitSubjects.of("ada@example.com", " agent-7 ", "nightly, batch,,a b");
    String flag = subjects.flag().orElseThrow();
    assertThat(flag)
        .startsWith("limits:subjects user=")
        .doesNotContain("ada")
        .doesNotContain("agent-7")
        .endsWith(" tags=nightly,batch,a+b");
    LimitSubjects recorded = LimitSubjects.recorded(List.of("limits:reserved key:k", flag));
    assertThat(recorded.user()).isEqualTo(LimitSubjects.digest("ada@example.com")).hasSize(16);
    assertThat(recorded.session()).isEqualTo(LimitSubjects.digest("agent-7"));
    assertThat(recorded.tags()).containsExactly("nightly", "batch", "a b");
    assertThat(LimitSubjects.recorded(List.of(LimitSubjects.of("bob", "", "").flag().get())))
        .isEqualTo(new LimitSubjects(LimitSubjects.digest("bob"), "", List.of()));
  }

  @Test
  void aRequestSpeakingForNobodyHasNoFlagAndATraceWithoutOneHasNoSubjects() {
    assertThat(LimitSubjects.of("", "  ", " , ").flag()).isEmpty();
    assertThat(LimitSubjects.recorded(List.of("tool_loop"))).isEqualTo(LimitSubjects.NONE);
  }

  @Test
  void manyOrLongTagsAreCutAndCommasInATagSurviveTheFlag() {
    String many = String.join(",", Collections.nCopies(20, "t"));
    assertThat(LimitSubjects.recorded(List.of(LimitSubjects.of("", "", many).flag().get())).tags())
        .hasSize(LimitSubjects.MAX_TAGS);
    LimitSubjects odd = new LimitSubjects("", "", List.of("x".repeat(100), "a,b=c d"));
    assertThat(LimitSubjects.recorded(List.of(odd.flag().get())).tags())
        .containsExactly("x".repeat(LimitSubjects.MAX_TAG_LENGTH), "a,b=c d");
  }

  @Test
  void boundsAddTheLimitedSubjectsToTheCallersScopes() {
    Scope.Bound tenant = new Scope(Scope.Kind.TENANT, "acme").bound(ONE_A_MINUTE);
    LimitSubjects subjects = LimitSubjects.of("ada", "s-1", "batch, nightly");
    LimitSettings limits =
        new LimitSettings(
            Map.of(),
            Map.of(),
            Optional.of(ONE_A_MINUTE),
            Optional.of(ONE_A_MINUTE),
            Map.of("batch", ONE_A_MINUTE),
            Duration.ofMinutes(10),
            Optional.empty(),
            false,
            Optional.empty(),
            false,
            false,
            64);
    assertThat(subjects.bounds(List.of(tenant), limits))
        .extracting(b -> b.scope().id())
        .containsExactly("tenant:acme", "user:ada", "session:s-1", "tag:batch");
    assertThat(subjects.bounds(List.of(tenant), LimitSettings.NONE)).containsExactly(tenant);
  }
}
