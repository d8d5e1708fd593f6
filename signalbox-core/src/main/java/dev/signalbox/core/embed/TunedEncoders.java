package dev.signalbox.core.embed;

import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The tuned encoders this process knows, by name: a learned artifact that carries one registers it
 * when it is read or fitted, so a route's signals can embed with it. One registry per process is
 * safe because a tuned encoder's name is a hash of its weights.
 */
public final class TunedEncoders {
  private static final Map<String, TunedLayers> KNOWN = new ConcurrentHashMap<>();

  private TunedEncoders() {}

  /** Makes {@code layers} known; its encoder. */
  public static EncoderModel register(TunedLayers layers) {
    KNOWN.putIfAbsent(layers.name(), layers);
    return layers.model();
  }

  public static Optional<TunedLayers> named(String name) {
    return Optional.ofNullable(KNOWN.get(name));
  }

  /** Whether {@code model} is a tuned encoder this process knows. */
  public static boolean isTuned(EncoderModel model) {
    return KNOWN.containsKey(model.name());
  }
}
