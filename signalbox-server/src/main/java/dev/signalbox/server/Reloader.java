package dev.signalbox.server;

import dev.signalbox.core.config.ConfigException;
import dev.signalbox.core.config.GatewayConfig;

/**
 * Reads the config file again and swaps it in, or throws with every problem and keeps the old one.
 */
@FunctionalInterface
public interface Reloader {
  GatewayConfig reload() throws ConfigException;
}
