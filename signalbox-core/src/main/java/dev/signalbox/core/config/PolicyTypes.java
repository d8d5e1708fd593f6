package dev.signalbox.core.config;

import java.util.Optional;
import java.util.SortedSet;

/** The policies a config may name, and the record each one's settings bind to. */
public interface PolicyTypes {
  SortedSet<String> names();

  Optional<Class<? extends PolicySpec>> specType(String policy);
}
