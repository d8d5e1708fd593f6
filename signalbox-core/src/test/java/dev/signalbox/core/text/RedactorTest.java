package dev.signalbox.core.text;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class RedactorTest {
  @Test
  void keyShapesAreRedactedWhetherConfiguredOrNot() {
    Redactor redactor = Redactor.SHAPES;
    assertThat(redactor.redact("Incorrect API key provided: sk-proj-abc123def456ghi789."))
        .isEqualTo("Incorrect API key provided: [redacted].");
    assertThat(redactor.redact("x-api-key sk-ant-api03-AbCdEf123456 is invalid"))
        .isEqualTo("x-api-key [redacted] is invalid");
    assertThat(redactor.redact("Authorization: Bearer eyJhbGciOi.payload.sig"))
        .isEqualTo("Authorization: Bearer [redacted]");
    assertThat(redactor.redact("key=AIzaSyA1234567890abcdefghijk")).isEqualTo("key=[redacted]");
    assertThat(redactor.redact("{\"api_key\": \"abcdefghijklmnop\"}"))
        .isEqualTo("{\"api_key\": \"[redacted]\"}");
  }

  @Test
  void configuredSecretsAreRedactedWhateverTheirShape() {
    Redactor redactor = Redactor.of(List.of("correct-horse-battery", "short"));
    assertThat(redactor.redact("the key correct-horse-battery was refused"))
        .isEqualTo("the key [redacted] was refused");
    assertThat(redactor.redact("a short answer")).isEqualTo("a short answer");
  }

  @Test
  void ordinaryTextIsLeftAlone() {
    String text = "A risk-free task-force asked: is the model overloaded? Retry in 2s (Bearer).";
    assertThat(Redactor.SHAPES.redact(text)).isEqualTo(text);
  }
}
