package dev.signalbox.core.config;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * The value a config key takes when the file leaves it out, written as it would be in YAML ({@code
 * "5s"}, {@code "8080"}, {@code "{}"} for a mapping whose own keys have defaults). The one place a
 * default is given: the reader fills it in and the JSON schema shows it.
 */
@Retention(RetentionPolicy.RUNTIME)
@Target({ElementType.RECORD_COMPONENT, ElementType.PARAMETER, ElementType.FIELD})
public @interface Default {
  String value();
}
