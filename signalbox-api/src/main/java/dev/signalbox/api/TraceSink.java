package dev.signalbox.api;

/**
 * Receives each finished request's trace. Must be fast and never throw: it runs on the request
 * path.
 */
public interface TraceSink {
  void accept(DecisionTrace trace);
}
