package dev.signalbox.core.config;

import com.fasterxml.jackson.annotation.JacksonInject;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.Set;

/**
 * What a client names as the model it wants: candidate models, a policy, fallbacks. The keys every
 * route has are its components; the keys its policy reads sit beside them and are bound to {@code
 * spec}, the record the policy names.
 *
 * @param policy the name of the policy that decides the route
 * @param fallbackOn upstream statuses after which the next attempt is made
 * @param timeout the deadline of the whole request, every attempt included
 * @param maxAttempts the most attempts a request makes (0: one per plan entry, plus a retry)
 * @param defaultMaxTokens the output length assumed when a request sets no max_tokens
 * @param fallbackOrder how the plan's entries after the first are ordered
 * @param slo latency objectives the plan's deployments are filtered by
 * @param hedge when to send the request to a second deployment before the first answers
 * @param continueStreams whether a text answer whose stream breaks after the commit boundary is
 *     continued on a deployment that accepts a final assistant message (assistant-prefill)
 * @param session stickiness per agent session
 * @param sessionBudgetUsd what one agent session may spend on this route
 * @param spec the policy's own settings
 */
public record RouteSpec(
    String name,
    List<String> models,
    @Default("priority") String policy,
    List<String> fallbacks,
    @Default("[408, 409, 429, 500, 502, 503, 504, 529]") @Range(min = 400, max = 599)
        Set<Integer> fallbackOn,
    @Default("600s") Duration timeout,
    @Default("0") @Range(min = 0, max = 100) int maxAttempts,
    @Default("1024") @Range(min = 1, max = 10_000_000) int defaultMaxTokens,
    @Default("plan") FallbackOrder fallbackOrder,
    @Default("{}") SloSpec slo,
    Optional<HedgeSpec> hedge,
    @Default("false") boolean continueStreams,
    @JsonProperty("session") Optional<SessionSpec.Settings> session,
    @Range(min = 0, max = 1e9) OptionalDouble sessionBudgetUsd,
    @JacksonInject @Flattened(selector = "policy") PolicySpec spec) {

  /** How a route orders its fallbacks. */
  public enum FallbackOrder {
    /** The policy's order, deployments with an open circuit skipped. */
    PLAN,
    /** The entries after the first re-ranked by price, weighted by live latency and reliability. */
    SELF_HEALING
  }

  /** The output length assumed when neither the request nor the route sets one. */
  public static final int DEFAULT_MAX_TOKENS = 1_024;

  public static final Set<Integer> DEFAULT_FALLBACK_ON =
      Set.of(408, 409, 429, 500, 502, 503, 504, 529);

  /** The policy name of a request that names a model rather than a route. */
  public static final String DIRECT = "direct";

  public RouteSpec {
    Objects.requireNonNull(name);
    models = List.copyOf(models);
    Objects.requireNonNull(policy);
    fallbacks = List.copyOf(fallbacks);
    fallbackOn = Set.copyOf(fallbackOn);
    Objects.requireNonNull(timeout);
    Objects.requireNonNull(fallbackOrder);
    Objects.requireNonNull(slo);
    Objects.requireNonNull(hedge);
    Objects.requireNonNull(session);
    Objects.requireNonNull(sessionBudgetUsd);
    Objects.requireNonNull(spec);
  }

  /** The implicit route of a request that names a model: that model alone, every default. */
  public static RouteSpec direct(String model) {
    return new RouteSpec(
        model,
        List.of(model),
        DIRECT,
        List.of(),
        DEFAULT_FALLBACK_ON,
        Duration.ofMinutes(10),
        0,
        DEFAULT_MAX_TOKENS,
        FallbackOrder.PLAN,
        SloSpec.NONE,
        Optional.empty(),
        false,
        Optional.empty(),
        OptionalDouble.empty(),
        new PriorityPolicySpec());
  }

  /** Stickiness and budget per agent session, together. */
  public SessionSpec sessions() {
    return session
        .map(s -> new SessionSpec(s.sticky(), s.stickyMargin(), s.idleTimeout(), sessionBudgetUsd))
        .orElse(
            new SessionSpec(
                false,
                SessionSpec.NONE.stickyMargin(),
                SessionSpec.NONE.idleTimeout(),
                sessionBudgetUsd));
  }

  /** The same route with another policy spec, as {@code eval} sweeps a knob. */
  public RouteSpec withSpec(PolicySpec newSpec) {
    return new RouteSpec(
        name,
        models,
        policy,
        fallbacks,
        fallbackOn,
        timeout,
        maxAttempts,
        defaultMaxTokens,
        fallbackOrder,
        slo,
        hedge,
        continueStreams,
        session,
        sessionBudgetUsd,
        newSpec);
  }
}
