package dev.signalbox.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.signalbox.api.DecisionTrace;
import dev.signalbox.api.ErrorKind;
import dev.signalbox.api.SignalboxException;
import dev.signalbox.core.config.ConfigException;
import dev.signalbox.core.config.GatewayConfig;
import dev.signalbox.core.trace.Feedback;
import dev.signalbox.core.trace.TraceStore;
import dev.signalbox.eval.replay.CounterfactualReplay;
import dev.signalbox.eval.replay.RecordedTraffic;
import dev.signalbox.server.ReplayService;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * The dashboard's "replay under another config": the counterfactual replay of {@code replay
 * --with}, over the traces the person selected, read from the running gateway's store.
 */
final class DashboardReplay implements ReplayService {
  private static final long SLO_MILLIS = 5_000;
  private static final long SEED = 42;

  private final TraceStore store;

  DashboardReplay(TraceStore store) {
    this.store = store;
  }

  @Override
  public ObjectNode replay(List<String> traceIds, String configText) {
    GatewayConfig config;
    try {
      config = Configs.offlineReader().read(configText, "the replayed config");
    } catch (ConfigException e) {
      throw SignalboxException.invalid("config", e.getMessage().strip());
    }
    TraceStore selected = new Selected(store, traceIds);
    try {
      RecordedTraffic traffic = RecordedTraffic.load(selected);
      CounterfactualReplay replay =
          new CounterfactualReplay(
              selected, traffic, Configs.policies(), Configs.offlineServices(), SLO_MILLIS, SEED);
      return ReplayCommand.toJson(replay.run("the replayed config", config));
    } catch (SignalboxException e) {
      throw e;
    } catch (Exception e) {
      throw new SignalboxException(
          ErrorKind.INVALID_REQUEST,
          "The replay could not run: " + e.getMessage(),
          "config",
          "replay_failed");
    }
  }

  /** The chosen traces of a store, read-only: what the replay sees as its recorded traffic. */
  private record Selected(TraceStore store, List<String> ids) implements TraceStore {
    @Override
    public void forEach(Consumer<String> json) throws Exception {
      for (String id : ids) {
        Optional<String> found = store.find(id);
        if (found.isPresent()) {
          json.accept(found.get());
        }
      }
    }

    @Override
    public Optional<String> find(String id) throws Exception {
      return ids.contains(id) ? store.find(id) : Optional.empty();
    }

    @Override
    public Optional<String> config(String hash) throws Exception {
      return store.config(hash);
    }

    @Override
    public List<String> recent(int limit) throws Exception {
      throw new UnsupportedOperationException("a replay's selection lists nothing");
    }

    @Override
    public List<Feedback> feedback(String requestId) throws Exception {
      return store.feedback(requestId);
    }

    @Override
    public void write(List<DecisionTrace> batch) {
      throw new UnsupportedOperationException("a replay's selection is read-only");
    }

    @Override
    public void storeConfig(String hash, String text) {
      throw new UnsupportedOperationException("a replay's selection is read-only");
    }

    @Override
    public Kept addFeedback(Feedback feedback, String tenant) {
      throw new UnsupportedOperationException("a replay's selection is read-only");
    }

    @Override
    public List<String> addAllFeedback(List<Feedback> feedback) {
      throw new UnsupportedOperationException("a replay's selection is read-only");
    }

    @Override
    public void close() {
      // The gateway's store stays open.
    }
  }
}
