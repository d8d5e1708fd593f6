package dev.signalbox.core.trace;

import dev.signalbox.api.DecisionTrace;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;

/** Where traces are kept: the embedded SQLite file by default. */
public interface TraceStore extends AutoCloseable {
  /** Writes a batch in one transaction; throws when the store cannot take it. */
  void write(List<DecisionTrace> batch) throws Exception;

  /** Keeps a config's text once per hash. */
  void storeConfig(String hash, String text) throws Exception;

  /** The stored JSON of one trace. */
  Optional<String> find(String id) throws Exception;

  /** The newest traces first, as stored JSON. */
  List<String> recent(int limit) throws Exception;

  /** Every trace in time order, as stored JSON. */
  void forEach(Consumer<String> json) throws Exception;

  Optional<String> config(String hash) throws Exception;

  /**
   * Keeps feedback beside the trace of its request; false when there is no trace of that id (or,
   * when {@code tenant} is not null, none of that tenant).
   */
  boolean addFeedback(Feedback feedback, String tenant) throws Exception;

  /** Every feedback on one request, oldest first. */
  List<Feedback> feedback(String requestId) throws Exception;

  @Override
  void close();
}
