package dev.signalbox.core.gateway;

import dev.signalbox.core.config.GatewayConfig;
import dev.signalbox.core.keys.VirtualKeys;
import dev.signalbox.core.policy.PolicyRegistry;
import dev.signalbox.core.policy.PolicyServices;
import dev.signalbox.core.routing.Router;
import java.util.Optional;

/** What one config version builds; a reload swaps the whole of it at once. */
record GatewayRuntime(GatewayConfig config, Router router, Authenticator authenticator) {
  static GatewayRuntime of(
      GatewayConfig config,
      PolicyRegistry policies,
      PolicyServices services,
      VirtualKeys virtualKeys) {
    return new GatewayRuntime(
        config,
        new Router(config, policies, services),
        new Authenticator(config.auth(), config.limits(), Optional.of(virtualKeys)));
  }
}
