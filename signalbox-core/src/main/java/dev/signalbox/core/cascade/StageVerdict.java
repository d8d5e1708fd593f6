package dev.signalbox.core.cascade;

import java.util.List;

/**
 * What the checks made of one stage's answers.
 *
 * @param accepted every check passed
 * @param chosen the answer served if accepted: the first of the largest agreeing group, else the
 *     first
 * @param findings one line per check, in the configured order, each ending in pass or fail
 */
public record StageVerdict(boolean accepted, int chosen, List<String> findings) {
  public StageVerdict {
    findings = List.copyOf(findings);
  }
}
