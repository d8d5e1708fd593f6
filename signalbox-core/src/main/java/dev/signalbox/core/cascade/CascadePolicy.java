package dev.signalbox.core.cascade;

import dev.signalbox.api.Candidate;
import dev.signalbox.api.PolicyInput;
import dev.signalbox.api.PolicyResult;
import dev.signalbox.api.RoutingPolicy;
import dev.signalbox.api.ScoredModel;
import dev.signalbox.core.config.CascadeSpec;
import dev.signalbox.core.config.ConfigReader;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;

/**
 * Orders a cascade's stages: the candidates by this request's estimated cost (prompt tokens at the
 * input price, the maximum output at the output price), cheapest first, ties in the route's order.
 * Every stage but the last is checked; the {@link CascadeRunner} walks them. This is FrugalGPT's LLM
 * cascade (Chen, Zaharia and Zou, 2023) with checks a gateway can run without a trained scorer:
 * agreement among samples (ACAR, self-consistency), verifier rules and token log-probabilities.
 * The score is the estimated cost in USD.
 */
public final class CascadePolicy implements RoutingPolicy {
  public static final String NAME = ConfigReader.CASCADE;

  private final String checks;

  public CascadePolicy(CascadeSpec spec) {
    this.checks = String.join(", ", spec.checks().stream().map(CascadeSpec.Check::kind).toList())
        + (spec.samples() > 1 ? " over " + spec.samples() + " samples" : "");
  }

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public PolicyResult decide(PolicyInput input) {
    long prompt = input.signals().promptTokens();
    long output = input.signals().maxOutputTokens();
    record Priced(Candidate candidate, double cost, int listed) {}
    List<Priced> priced = new ArrayList<>();
    for (int i = 0; i < input.candidates().size(); i++) {
      Candidate c = input.candidates().get(i);
      priced.add(new Priced(c, c.pricing().estimate(prompt, output), i));
    }
    priced.sort(Comparator.comparingDouble(Priced::cost).thenComparingInt(Priced::listed));
    List<ScoredModel> order = new ArrayList<>();
    for (int i = 0; i < priced.size(); i++) {
      Priced p = priced.get(i);
      boolean last = i == priced.size() - 1;
      String role = last ? "final, unchecked" : "checked by " + checks;
      order.add(new ScoredModel(p.candidate().model(), p.cost(),
          String.format(Locale.ROOT, "stage %d of %d (%s), est $%.6f", i + 1, priced.size(), role, p.cost())));
    }
    return PolicyResult.Ranked.deterministic(order);
  }
}
