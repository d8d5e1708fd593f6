package dev.signalbox.core.gateway;

import dev.signalbox.core.config.GatewayConfig;
import dev.signalbox.core.routing.PolicyRegistry;
import dev.signalbox.core.routing.Router;

/** What one config version builds; a reload swaps the whole of it at once. */
record GatewayRuntime(GatewayConfig config, Router router, Authenticator authenticator) {
  static GatewayRuntime of(GatewayConfig config, PolicyRegistry policies) {
    return new GatewayRuntime(
        config, new Router(config, policies), new Authenticator(config.auth()));
  }
}
