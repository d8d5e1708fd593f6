package dev.signalbox.eval.replay;

import dev.signalbox.core.config.ConfigException;
import dev.signalbox.core.config.ConfigReader;
import dev.signalbox.core.config.GatewayConfig;
import dev.signalbox.core.policy.PolicyRegistry;
import dev.signalbox.core.policy.PolicyServices;
import dev.signalbox.core.routing.Router;
import dev.signalbox.core.trace.TraceStore;
import java.util.HashMap;
import java.util.Map;

/**
 * The configs a trace store recorded, read back from their stored text and built into routers once
 * per hash. Replay never calls an upstream, so keys named by {@code api-key-env} need not be set.
 */
final class RecordedConfigs {
  private final TraceStore store;
  private final ConfigReader reader;
  private final PolicyRegistry registry;
  private final PolicyServices services;
  private final Map<String, Router> routers = new HashMap<>();

  RecordedConfigs(TraceStore store, PolicyRegistry registry, PolicyServices services) {
    this.store = store;
    this.registry = registry;
    this.services = services;
    this.reader = new ConfigReader(registry, name -> "not-needed-for-replay");
  }

  /**
   * The router of the config with this hash; throws when the store lacks its text or it no longer
   * validates.
   */
  Router router(String hash) {
    Router router = routers.get(hash);
    if (router == null) {
      router = new Router(config(hash), registry, services);
      routers.put(hash, router);
    }
    return router;
  }

  private GatewayConfig config(String hash) {
    String text;
    try {
      text =
          store
              .config(hash)
              .orElseThrow(
                  () -> new ReplayException("the store has no config text for hash " + hash));
    } catch (ReplayException e) {
      throw e;
    } catch (Exception e) {
      throw new ReplayException("cannot read config " + hash + ": " + e.getMessage());
    }
    try {
      GatewayConfig config =
          reader.read(text, "recorded config " + hash.substring(0, Math.min(12, hash.length())));
      if (!config.hash().equals(hash)) {
        throw new ReplayException(
            "the stored text of config " + hash + " hashes to " + config.hash());
      }
      return config;
    } catch (ConfigException e) {
      throw new ReplayException(e.getMessage().strip());
    }
  }
}
