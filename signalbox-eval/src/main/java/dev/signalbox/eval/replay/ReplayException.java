package dev.signalbox.eval.replay;

/** A recorded decision that cannot be replayed, with the reason. */
public final class ReplayException extends RuntimeException {
  public ReplayException(String message) {
    super(message);
  }
}
