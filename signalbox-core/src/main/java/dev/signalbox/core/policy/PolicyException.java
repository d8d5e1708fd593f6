package dev.signalbox.core.policy;

/**
 * A route's policy could not be built from what it reads (a learned route's artifact is missing,
 * edited or made for another route): the router reports it as a problem of the config.
 */
public final class PolicyException extends RuntimeException {
  public PolicyException(String message, Throwable cause) {
    super(message, cause);
  }
}
