package dev.signalbox.core.learn;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Executor;
import java.util.concurrent.Future;
import java.util.concurrent.FutureTask;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Supplier;

/**
 * A bandit route's learner: decisions read its current state (a numbered, immutable {@link
 * BanditState}); rewards are applied off the request path, one at a time on the learner's own
 * thread, each making the next version, which is then written to the state file (atomically, by a
 * rename) so the learning survives a restart. A state file of other arms or another context width
 * is refused with the reason.
 */
public final class BanditLearner implements Supplier<BanditState>, AutoCloseable {
  private static final ObjectMapper JSON = new ObjectMapper();

  private final AtomicReference<BanditState> state;
  private final Optional<Path> file;
  private final Executor updates;
  private final ReentrantLock updating = new ReentrantLock();

  /**
   * @param updates where rewards are applied (off the caller's thread); one at a time, whatever it
   *     runs concurrently
   */
  public BanditLearner(List<String> arms, int dimensions, Optional<Path> file, Executor updates) {
    this.file = file;
    this.updates = updates;
    BanditState initial = BanditState.initial(arms, dimensions);
    if (file.isPresent() && Files.exists(file.get())) {
      initial = read(file.get(), arms, dimensions);
    }
    this.state = new AtomicReference<>(initial);
  }

  @Override
  public BanditState get() {
    return state.get();
  }

  /** Applies a reward off the caller's thread; the future completes with the new version. */
  public Future<Long> reward(String model, double[] context, double reward, boolean wasExploring) {
    FutureTask<Long> task =
        new FutureTask<>(
            () -> {
              updating.lock();
              try {
                return apply(model, context, reward, wasExploring);
              } finally {
                updating.unlock();
              }
            });
    updates.execute(task);
    return task;
  }

  /** The context width of a bandit over an artifact: bias, cheap features, one-hot cluster. */
  public static int dimensions(LearnedArtifact artifact) {
    return 1 + CheapFeatures.SIZE + artifact.clusters().length;
  }

  private long apply(String model, double[] context, double reward, boolean wasExploring) {
    BanditState current = state.get();
    int arm = current.arm(model);
    if (arm < 0) {
      return current.version();
    }
    BanditState next = current.update(arm, context, reward, wasExploring);
    state.set(next);
    file.ifPresent(f -> write(next, f));
    return next.version();
  }

  static void write(BanditState s, Path file) {
    ObjectNode root = JSON.createObjectNode();
    root.put("version", s.version())
        .put("dimensions", s.dimensions())
        .put("updates", s.updates())
        .put("explored", s.explored());
    ArrayNode arms = root.putArray("arms");
    for (int a = 0; a < s.arms().size(); a++) {
      ObjectNode arm = arms.addObject().put("model", s.arms().get(a)).put("pulls", s.pulls()[a]);
      ArrayNode inverse = arm.putArray("inverse");
      for (double[] row : s.inverse()[a]) {
        ArrayNode r = inverse.addArray();
        for (double v : row) {
          r.add(v);
        }
      }
      ArrayNode rewards = arm.putArray("rewards");
      for (double v : s.rewards()[a]) {
        rewards.add(v);
      }
    }
    try {
      Path parent = file.toAbsolutePath().getParent();
      Files.createDirectories(parent);
      Path temporary = Files.createTempFile(parent, file.getFileName().toString(), ".tmp");
      Files.writeString(temporary, JSON.writeValueAsString(root), StandardCharsets.UTF_8);
      Files.move(
          temporary, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    } catch (IOException e) {
      throw new UncheckedIOException(
          "cannot write the bandit state " + file + ": " + e.getMessage(), e);
    }
  }

  static BanditState read(Path file, List<String> arms, int dimensions) {
    try {
      JsonNode root = JSON.readTree(Files.readString(file, StandardCharsets.UTF_8));
      List<String> stored = new ArrayList<>();
      root.path("arms").forEach(a -> stored.add(a.path("model").asText()));
      if (!stored.equals(arms) || root.path("dimensions").asInt() != dimensions) {
        throw new IllegalArgumentException(
            file
                + ": the bandit state is for arms "
                + stored
                + " with "
                + root.path("dimensions").asInt()
                + " context dimensions; the route has "
                + arms
                + " with "
                + dimensions
                + " (move the file away to start afresh)");
      }
      double[][][] inverse = new double[arms.size()][dimensions][dimensions];
      double[][] rewards = new double[arms.size()][dimensions];
      long[] pulls = new long[arms.size()];
      for (int a = 0; a < arms.size(); a++) {
        JsonNode arm = root.path("arms").get(a);
        pulls[a] = arm.path("pulls").asLong();
        for (int i = 0; i < dimensions; i++) {
          rewards[a][i] = arm.path("rewards").get(i).asDouble();
          for (int j = 0; j < dimensions; j++) {
            inverse[a][i][j] = arm.path("inverse").get(i).get(j).asDouble();
          }
        }
      }
      return new BanditState(
          root.path("version").asLong(),
          arms,
          dimensions,
          inverse,
          rewards,
          pulls,
          root.path("updates").asLong(),
          root.path("explored").asLong());
    } catch (IOException e) {
      throw new UncheckedIOException(
          "cannot read the bandit state " + file + ": " + e.getMessage(), e);
    }
  }

  @Override
  public void close() {
    // The executor is the gateway's; a learner holds nothing else to release.
  }
}
