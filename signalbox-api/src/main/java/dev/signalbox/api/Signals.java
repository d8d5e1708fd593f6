package dev.signalbox.api;

import java.util.Optional;

/**
 * What a policy may know of a request. Values are computed when first read, and the values read are
 * recorded in the decision trace.
 */
public interface Signals {
  long promptTokens();

  /** The request's max_tokens or max_completion_tokens, or the route's default when absent. */
  long maxOutputTokens();

  String lastUserText();

  int turns();

  boolean hasTools();

  boolean hasImages();

  Optional<String> header(String name);

  String tenant();
}
