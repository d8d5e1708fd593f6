package dev.signalbox.core.cascade;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.databind.JsonNode;
import com.networknt.schema.ValidationMessage;
import dev.signalbox.core.config.CascadeSpec;
import dev.signalbox.core.wire.Json;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;

/**
 * Judges one cascade stage's answers against the route's checks: pure, so serving and offline
 * evaluation (on recorded answers) decide alike. Every check is evaluated, so the trace tells all
 * that failed, not only the first. The agreement check (self-consistency over samples, as in ACAR)
 * picks the answer the others are about; the other checks read that answer.
 */
public final class AnswerChecks {
  private static final String PASS = ": pass";
  private static final String FAIL = ": fail";

  private AnswerChecks() {}

  public static StageVerdict judge(CascadeSpec spec, List<StageAnswer> answers) {
    if (answers.isEmpty()) {
      throw new IllegalArgumentException("no answers to judge");
    }
    int chosen = 0;
    List<String> findings = new ArrayList<>();
    boolean accepted = true;
    for (CascadeSpec.Check check : spec.checks()) {
      if (check instanceof CascadeSpec.Agreement agreement) {
        Agreed agreed = agree(agreement, answers);
        chosen = agreed.first();
        boolean pass = agreed.size() >= agreement.minShare() * answers.size() - 1e-9;
        findings.add(
            String.format(
                Locale.ROOT,
                "agreement: %d of %d on '%s' (min share %s)%s",
                agreed.size(),
                answers.size(),
                clip(agreed.key()),
                number(agreement.minShare()),
                pass ? PASS : FAIL));
        accepted &= pass;
      }
    }
    StageAnswer answer = answers.get(chosen);
    for (CascadeSpec.Check check : spec.checks()) {
      String finding =
          switch (check) {
            case CascadeSpec.Agreement agreement -> null;
            case CascadeSpec.Matches matches ->
                "regex '"
                    + clip(matches.pattern().pattern())
                    + "'"
                    + (matches.pattern().matcher(answer.text()).find()
                        ? PASS
                        : FAIL + " (no match)");
            case CascadeSpec.Arithmetic arithmetic ->
                arithmetic(answer.text(), arithmetic.tolerance());
            case CascadeSpec.JsonSchema schema -> jsonSchema(answer.text(), schema);
            case CascadeSpec.LogProbs logProbs -> logProbs(answer, logProbs.minMean());
          };
      if (finding != null) {
        findings.add(finding);
        accepted &= finding.endsWith(PASS);
      }
    }
    return new StageVerdict(accepted, chosen, findings);
  }

  /** The largest group of equal answers: its key, size and first member. */
  private record Agreed(String key, int size, int first) {}

  private static Agreed agree(CascadeSpec.Agreement agreement, List<StageAnswer> answers) {
    Map<String, List<Integer>> groups = new LinkedHashMap<>();
    for (int i = 0; i < answers.size(); i++) {
      String key = key(agreement, answers.get(i).text());
      // An answer the pattern finds nothing in agrees with no other.
      groups.computeIfAbsent(key == null ? "\u0000" + i : key, k -> new ArrayList<>()).add(i);
    }
    Map.Entry<String, List<Integer>> largest = null;
    for (Map.Entry<String, List<Integer>> group : groups.entrySet()) {
      if (largest == null || group.getValue().size() > largest.getValue().size()) {
        largest = group;
      }
    }
    String key = largest.getKey().startsWith("\u0000") ? "(no answer found)" : largest.getKey();
    return new Agreed(key, largest.getValue().size(), largest.getValue().get(0));
  }

  /** What two answers are compared by; null when the route's answer pattern finds nothing. */
  static String key(CascadeSpec.Agreement agreement, String text) {
    if (agreement.answer().isEmpty()) {
      return normalised(text);
    }
    Matcher m = agreement.answer().get().matcher(text);
    String last = null;
    while (m.find()) {
      last = m.groupCount() > 0 && m.group(1) != null ? m.group(1) : m.group();
    }
    return last == null ? null : normalised(last);
  }

  private static String normalised(String text) {
    return text.trim().replaceAll("\\s+", " ").toLowerCase(Locale.ROOT);
  }

  private static String arithmetic(String text, double tolerance) {
    Arithmetic.Finding finding = Arithmetic.check(text, tolerance);
    return finding
        .wrong()
        .map(w -> "arithmetic: '" + clip(w.equation()) + "' is " + number(w.value()) + FAIL)
        .orElse(
            "arithmetic: "
                + finding.judged()
                + " equation"
                + (finding.judged() == 1 ? "" : "s")
                + " hold"
                + (finding.judged() == 1 ? "s" : "")
                + PASS);
  }

  private static String jsonSchema(String text, CascadeSpec.JsonSchema schema) {
    JsonNode json;
    try {
      json = Json.MAPPER.readTree(unfenced(text));
    } catch (JacksonException e) {
      return "json-schema" + FAIL + " (not JSON: " + clip(e.getOriginalMessage()) + ")";
    }
    if (json == null || json.isMissingNode()) {
      return "json-schema" + FAIL + " (no JSON)";
    }
    Set<ValidationMessage> problems = schema.compiled().validate(json);
    if (problems.isEmpty()) {
      return "json-schema" + PASS;
    }
    return "json-schema"
        + FAIL
        + " ("
        + clip(
            String.join(
                "; ", problems.stream().map(ValidationMessage::getMessage).sorted().toList()))
        + ")";
  }

  /** The answer without a Markdown code fence around it. */
  static String unfenced(String text) {
    String t = text.strip();
    if (t.startsWith("```") && t.endsWith("```") && t.length() >= 6) {
      int newline = t.indexOf('\n');
      return newline < 0 ? "" : t.substring(newline + 1, t.length() - 3);
    }
    return t;
  }

  private static String logProbs(StageAnswer answer, double minMean) {
    if (answer.logprobs().isEmpty() || answer.logprobs().get().isEmpty()) {
      return "logprobs" + FAIL + " (the upstream returned none)";
    }
    double mean =
        answer.logprobs().get().stream().mapToDouble(Double::doubleValue).average().orElseThrow();
    return "logprobs: mean "
        + number(mean)
        + " (min "
        + number(minMean)
        + ")"
        + (mean >= minMean ? PASS : FAIL);
  }

  /** A number as short as it reads: up to six significant digits, no trailing zeros. */
  private static String number(double value) {
    return new java.math.BigDecimal(value)
        .round(new java.math.MathContext(6))
        .stripTrailingZeros()
        .toPlainString();
  }

  private static String clip(String text) {
    String oneLine = text.replaceAll("\\s+", " ");
    return oneLine.length() <= 60 ? oneLine : oneLine.substring(0, 57) + "...";
  }
}
