package dev.signalbox.api;

/**
 * What the pool knows of one deployment when a decision is made.
 *
 * @param inFlight requests under way now
 * @param consecutiveFailures failed attempts in a row, reset by a success
 */
public record DeploymentState(long inFlight, long consecutiveFailures) {
  public static final DeploymentState IDLE = new DeploymentState(0, 0);
}
