package dev.signalbox.core.telemetry;

import io.opentelemetry.context.propagation.TextMapGetter;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/** Reads a trace context from request headers whose names are in lower case. */
enum HeaderGetter implements TextMapGetter<Map<String, String>> {
  INSTANCE;

  @Override
  public Iterable<String> keys(Map<String, String> carrier) {
    return carrier.keySet();
  }

  @Override
  public @Nullable String get(@Nullable Map<String, String> carrier, String key) {
    return carrier == null ? null : carrier.get(key);
  }
}
