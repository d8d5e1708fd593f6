package dev.signalbox.core.config;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * A record written as a mapping of exactly one of its keys, such as a cascade check ({@code -
 * regex: '...'}): its components are the alternatives, all optional, and one must be given.
 */
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.TYPE)
public @interface OneKey {}
