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

  /** What became of feedback given to the store. */
  enum Kept {
    /** The first feedback on its request. */
    FIRST,
    /**
     * Its request had feedback already: from this source it replaced it, from another it joined.
     */
    AGAIN,
    /** No trace of that id (of that tenant, when one was given): nothing was written. */
    UNKNOWN_REQUEST
  }

  /**
   * Keeps feedback beside the trace of its request, one score per request and source: a later one
   * replaces, never adds.
   *
   * @param tenant when not null, only a request of this tenant may be judged
   */
  Kept addFeedback(Feedback feedback, String tenant) throws Exception;

  /**
   * Keeps all of this feedback or none of it: the ids of requests with no trace, in the order
   * given, when any is missing (and nothing written); else empty.
   */
  List<String> addAllFeedback(List<Feedback> feedback) throws Exception;

  /** Every feedback on one request, oldest first. */
  List<Feedback> feedback(String requestId) throws Exception;

  @Override
  void close();
}
