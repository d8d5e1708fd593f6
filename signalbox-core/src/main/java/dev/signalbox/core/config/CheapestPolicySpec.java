package dev.signalbox.core.config;

/** The {@code cheapest} policy reads nothing but the route's models and the request's tokens. */
public record CheapestPolicySpec() implements PolicySpec {}
