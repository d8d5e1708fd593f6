package dev.signalbox.server;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.signalbox.api.ErrorKind;
import dev.signalbox.api.SignalboxException;
import java.util.List;

/**
 * Runs the counterfactual replay of recorded traces under another config, for the dashboard: the
 * report as {@code replay --with CONFIG --json} prints it. The server does not know the evaluator;
 * whoever starts it (the CLI) provides this.
 */
@FunctionalInterface
public interface ReplayService {
  /**
   * @param configText the config to replay under, as YAML
   * @throws SignalboxException a 400 when the config is invalid
   */
  ObjectNode replay(List<String> traceIds, String configText);

  ReplayService UNAVAILABLE =
      (ids, config) -> {
        throw new SignalboxException(
            ErrorKind.NOT_FOUND,
            "Replay is not available here: it needs the trace store.",
            null,
            "replay_unavailable");
      };
}
