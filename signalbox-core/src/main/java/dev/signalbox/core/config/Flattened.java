package dev.signalbox.core.config;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * A component whose keys sit beside the record's own, of the {@link PolicySpec} type that the
 * sibling key {@link #selector} names: a route's policy settings ({@code weights}, {@code rules},
 * {@code cascade} ...) are written on the route itself.
 */
@Retention(RetentionPolicy.RUNTIME)
@Target({ElementType.RECORD_COMPONENT, ElementType.PARAMETER, ElementType.FIELD})
public @interface Flattened {
  String selector();
}
