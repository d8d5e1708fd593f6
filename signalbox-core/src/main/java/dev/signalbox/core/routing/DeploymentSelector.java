package dev.signalbox.core.routing;

import dev.signalbox.api.DeploymentState;
import dev.signalbox.api.PoolSnapshot;
import dev.signalbox.core.config.DeploymentSpec;
import dev.signalbox.core.config.ModelSpec;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.function.ToDoubleFunction;

/**
 * Orders a model's deployments for its attempts: the first is tried first, the rest are fallbacks.
 * Pure: load and latency come from the pool snapshot, randomness from the seed. A deployment whose
 * circuit is open goes last, whatever the selector.
 */
interface DeploymentSelector {
  /**
   * What a selector may know of the request.
   *
   * @param promptTokens the prompt's size in tokens (an upper bound is enough)
   * @param outputTokens the output it may produce
   */
  record Request(long promptTokens, long outputTokens) {}

  List<DeploymentSpec> order(
      List<DeploymentSpec> deployments, PoolSnapshot pool, long seed, Request request);

  /** Whether the selector reads the request's size (so the router records it only then). */
  default boolean readsRequest() {
    return false;
  }

  static DeploymentSelector of(ModelSpec.SelectorKind kind) {
    return switch (kind) {
      case PRIORITY -> (deployments, pool, seed, request) -> List.copyOf(deployments);
      case WEIGHTED -> DeploymentSelector::weighted;
      case ROUND_ROBIN ->
          (deployments, pool, seed, request) ->
              deployments.stream()
                  .sorted(Comparator.comparingLong(d -> pool.state(d.name()).assigned()))
                  .toList();
      case LEAST_OUTSTANDING ->
          (deployments, pool, seed, request) ->
              byScore(deployments, seed, d -> pool.state(d.name()).inFlight());
      case P2C_PEAK_EWMA -> DeploymentSelector::powerOfTwo;
      case LOWEST_LATENCY ->
          new DeploymentSelector() {
            @Override
            public List<DeploymentSpec> order(
                List<DeploymentSpec> deployments, PoolSnapshot pool, long seed, Request request) {
              return byScore(
                  deployments, seed, d -> predictedMillis(pool.state(d.name()), request, pool));
            }

            @Override
            public boolean readsRequest() {
              return true;
            }
          };
    };
  }

  /** By ascending score; ties broken by a seeded shuffle, so equals share the load. */
  private static List<DeploymentSpec> byScore(
      List<DeploymentSpec> deployments, long seed, ToDoubleFunction<DeploymentSpec> score) {
    List<DeploymentSpec> shuffled = new ArrayList<>(deployments);
    SplittableRandom random = new SplittableRandom(seed);
    for (int i = shuffled.size() - 1; i > 0; i--) {
      int j = random.nextInt(i + 1);
      DeploymentSpec t = shuffled.get(i);
      shuffled.set(i, shuffled.get(j));
      shuffled.set(j, t);
    }
    shuffled.sort(Comparator.comparingDouble(score));
    return shuffled;
  }

  /**
   * Two deployments drawn at random; the one with the lower cost goes first, then the rest by cost.
   * Cost is the peak-sensitive latency estimate times the load: the time to first token, or its p95
   * when that is higher (a spike counts at once, as with Finagle's peak EWMA), times one more than
   * the requests under way. Unmeasured deployments cost 0, so they are tried.
   */
  private static List<DeploymentSpec> powerOfTwo(
      List<DeploymentSpec> deployments, PoolSnapshot pool, long seed, Request request) {
    ToDoubleFunction<DeploymentSpec> cost =
        d -> {
          DeploymentState s = pool.state(d.name());
          double peak = Math.max(orZero(s.ttftMillis()), orZero(s.p95TtftMillis()));
          return peak * (1 + s.inFlight());
        };
    if (deployments.size() < 2) {
      return List.copyOf(deployments);
    }
    SplittableRandom random = new SplittableRandom(seed);
    int a = random.nextInt(deployments.size());
    int b = random.nextInt(deployments.size() - 1);
    if (b >= a) {
      b++;
    }
    DeploymentSpec first =
        cost.applyAsDouble(deployments.get(b)) < cost.applyAsDouble(deployments.get(a))
            ? deployments.get(b)
            : deployments.get(a);
    List<DeploymentSpec> order = new ArrayList<>();
    order.add(first);
    deployments.stream()
        .filter(d -> !d.equals(first))
        .sorted(Comparator.comparingDouble(cost))
        .forEach(order::add);
    return order;
  }

  /**
   * The request's predicted end to end at this deployment: the output already queued there, then
   * its own first token and output, at the deployment's measured speed. A deployment not yet
   * measured takes the pool's mean speeds, or 0 when nothing is measured.
   */
  static double predictedMillis(DeploymentState s, Request request, PoolSnapshot pool) {
    double ttft =
        Double.isNaN(s.ttftMillis()) ? mean(pool, DeploymentState::ttftMillis) : s.ttftMillis();
    double perToken =
        Double.isNaN(s.millisPerToken())
            ? mean(pool, DeploymentState::millisPerToken)
            : s.millisPerToken();
    return s.queuedOutputTokens() * perToken + ttft + request.outputTokens() * perToken;
  }

  private static double mean(PoolSnapshot pool, ToDoubleFunction<DeploymentState> value) {
    return pool.deployments().values().stream()
        .mapToDouble(value)
        .filter(v -> !Double.isNaN(v))
        .average()
        .orElse(0);
  }

  private static double orZero(double value) {
    return Double.isNaN(value) ? 0 : value;
  }

  /** The first drawn in proportion to weight, seeded by the request; the rest in listed order. */
  private static List<DeploymentSpec> weighted(
      List<DeploymentSpec> deployments, PoolSnapshot pool, long seed, Request request) {
    double total = deployments.stream().mapToDouble(DeploymentSpec::weight).sum();
    if (deployments.size() < 2 || total <= 0) {
      return List.copyOf(deployments);
    }
    double point = new SplittableRandom(seed).nextDouble() * total;
    int chosen = deployments.size() - 1;
    double cumulative = 0;
    for (int i = 0; i < deployments.size(); i++) {
      cumulative += deployments.get(i).weight();
      if (point < cumulative) {
        chosen = i;
        break;
      }
    }
    List<DeploymentSpec> order = new ArrayList<>(deployments.size());
    order.add(deployments.get(chosen));
    for (int i = 0; i < deployments.size(); i++) {
      if (i != chosen) {
        order.add(deployments.get(i));
      }
    }
    return order;
  }

  /**
   * The same order with open circuits last (in their order), and, for a session, its deployment
   * first while healthy: the one rendezvous hashing gives the session among the healthy ones, so it
   * moves only when that one stops being healthy and a provider's cached prefix is kept.
   */
  static List<DeploymentSpec> finish(
      List<DeploymentSpec> order, PoolSnapshot pool, Optional<String> session) {
    List<DeploymentSpec> healthy = new ArrayList<>();
    List<DeploymentSpec> open = new ArrayList<>();
    for (DeploymentSpec d : order) {
      (pool.state(d.name()).open() ? open : healthy).add(d);
    }
    if (session.isPresent() && healthy.size() > 1) {
      DeploymentSpec home =
          healthy.stream()
              .max(Comparator.comparingLong(d -> rendezvous(session.get(), d.name())))
              .orElseThrow();
      healthy.remove(home);
      healthy.add(0, home);
    }
    healthy.addAll(open);
    return healthy;
  }

  /** The order with {@code held} first when it is in it and its circuit is not open. */
  static List<DeploymentSpec> holding(List<DeploymentSpec> order, PoolSnapshot pool, String held) {
    for (int i = 1; i < order.size(); i++) {
      DeploymentSpec d = order.get(i);
      if (d.name().equals(held) && !pool.state(held).open()) {
        List<DeploymentSpec> reordered = new ArrayList<>(order);
        reordered.remove(i);
        reordered.add(0, d);
        return reordered;
      }
    }
    return order;
  }

  private static long rendezvous(String session, String deployment) {
    long h = 0xcbf29ce484222325L;
    for (char c : (session + '\u0000' + deployment).toCharArray()) {
      h = (h ^ c) * 0x100000001b3L;
    }
    // MurmurHash3's finaliser: FNV alone leaves the low bits too alike for a fair spread.
    h ^= h >>> 33;
    h *= 0xff51afd7ed558ccdL;
    h ^= h >>> 33;
    h *= 0xc4ceb9fe1a85ec53L;
    return h ^ (h >>> 33);
  }
}
