package dev.signalbox.core.pool;

/** Whether a deployment's breaker lets an attempt through. */
public enum Admission {
  /** The circuit is closed. */
  ADMITTED,
  /** The circuit is half-open and this attempt holds one of its probe permits. */
  PROBE,
  /** The circuit is open, or half-open with every permit taken. */
  REJECTED
}
