package dev.signalbox.server.http;

/** What serves a call, on a virtual thread of its own. */
@FunctionalInterface
public interface Handler {
  void serve(HttpCall call, Reply reply) throws Exception;
}
