package dev.signalbox.core.upstream;

import dev.signalbox.api.TimeSource;
import dev.signalbox.api.Upstream;
import dev.signalbox.core.config.DeploymentSpec;
import dev.signalbox.core.text.Redactor;
import dev.signalbox.core.text.TokenCounter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;

/**
 * Creates the upstream of each deployment. Upstreams are kept by their spec, so a reload that
 * leaves a deployment unchanged keeps its connections.
 */
public final class UpstreamFactory {
  private final TimeSource time;
  private final Function<String, String> environment;
  private final ConcurrentHashMap<DeploymentSpec, Upstream> cache = new ConcurrentHashMap<>();

  /**
   * The spec object last asked for under each deployment name, with its upstream: asked for the
   * same object again (every request of a config), this answers without the spec's record hash,
   * which walks all its fields (1.3% of the closed loop's CPU, async-profiler, 2026-12-04).
   */
  private final ConcurrentHashMap<String, Handed> lastHanded = new ConcurrentHashMap<>();

  private record Handed(DeploymentSpec spec, Upstream upstream) {}

  /** Read once, however many deployments replay the same recording. */
  private final ConcurrentHashMap<Path, ReplaySource> replaySources = new ConcurrentHashMap<>();

  private final TokenCounter tokens;

  /**
   * @param tokens counts the tokens of answers whose upstream reports no usage
   */
  public UpstreamFactory(
      TimeSource time, Function<String, String> environment, TokenCounter tokens) {
    this.time = time;
    this.environment = environment;
    this.tokens = tokens;
  }

  public Upstream upstream(DeploymentSpec spec) {
    Handed last = lastHanded.get(spec.name());
    if (last != null && last.spec() == spec) {
      return last.upstream();
    }
    Upstream upstream = cache.computeIfAbsent(spec, this::create);
    lastHanded.put(spec.name(), new Handed(spec, upstream));
    return upstream;
  }

  private Upstream create(DeploymentSpec spec) {
    Optional<String> key = spec.apiKeyEnv().map(environment);
    Map<String, String> extraHeaders = new LinkedHashMap<>(spec.headers());
    List<String> secrets = new ArrayList<>();
    key.ifPresent(secrets::add);
    spec.headerEnv()
        .forEach(
            (header, variable) ->
                Optional.ofNullable(environment.apply(variable))
                    .ifPresent(
                        value -> {
                          extraHeaders.put(header, value);
                          secrets.add(value);
                        }));
    return new RedactingUpstream(provider(spec, key, extraHeaders), Redactor.of(secrets));
  }

  private Upstream provider(
      DeploymentSpec spec, Optional<String> key, Map<String, String> extraHeaders) {
    return switch (spec.provider()) {
      case SIM -> new SimUpstream(spec, time, tokens);
      case REPLAY ->
          new SimUpstream(
              spec,
              time,
              tokens,
              Optional.of(
                  replaySources.computeIfAbsent(
                      spec.replayFrom().orElseThrow(), ReplaySource::load)));
      case OPENAI -> new OpenAiUpstream(spec, client(spec), key, extraHeaders, time, tokens);
      case ANTHROPIC -> new AnthropicUpstream(spec, client(spec), key, extraHeaders, time);
    };
  }

  /**
   * An HTTP/1.1 client on the process's event loops with its own keep-alive pool: a deployment's
   * connections are its own, at most its {@code idle-connections} of them kept between calls.
   */
  private static LoopHttpClient client(DeploymentSpec spec) {
    return LoopHttpClient.of(spec.endpoint(""), spec.connectTimeout(), spec.idleConnections());
  }
}
