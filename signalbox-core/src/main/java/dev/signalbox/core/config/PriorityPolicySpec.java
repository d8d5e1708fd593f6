package dev.signalbox.core.config;

/** The {@code priority} policy reads nothing but the route's models, in order. */
public record PriorityPolicySpec() implements PolicySpec {}
