package dev.signalbox.core.learn;

import dev.signalbox.core.config.BanditSpec;
import dev.signalbox.core.config.CascadeSpec;
import dev.signalbox.core.config.LearningSpec;
import dev.signalbox.core.config.ObjectiveSpec;
import dev.signalbox.core.config.RouteSpec;
import dev.signalbox.core.config.SessionSpec;
import dev.signalbox.core.config.SloSpec;
import dev.signalbox.core.config.ThresholdSpec;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** Routes for tests of learned policies, without a config file. */
final class LearnedRoutes {
  private LearnedRoutes() {}

  static RouteSpec thresholdRoute(String name, String scorer) {
    return thresholdRoute(name, scorer, List.of("strong", "weak"));
  }

  static RouteSpec thresholdRoute(String name, String scorer, List<String> models) {
    return route(name, "threshold", scorer, models);
  }

  static RouteSpec route(String name, String policy, String scorer, List<String> models) {
    LearningSpec.ScorerSpec d = LearningSpec.ScorerSpec.DEFAULT;
    LearningSpec learning =
        new LearningSpec(
            new LearningSpec.ScorerSpec(scorer, 20, d.smoothing(), 8, 20),
            "last-user",
            Optional.empty(),
            ObjectiveSpec.BALANCED,
            BanditSpec.DEFAULT,
            Optional.empty());
    return new RouteSpec(
        name,
        models,
        policy,
        Map.of(),
        List.of(),
        "",
        List.of(),
        RouteSpec.DEFAULT_FALLBACK_ON,
        Duration.ofSeconds(60),
        0,
        RouteSpec.DEFAULT_MAX_TOKENS,
        Optional.of(new ThresholdSpec("strong", "weak", Double.NaN, "score")),
        RouteSpec.FallbackOrder.PLAN,
        SloSpec.NONE,
        Optional.empty(),
        false,
        learning,
        SessionSpec.NONE,
        CascadeSpec.NONE);
  }
}
