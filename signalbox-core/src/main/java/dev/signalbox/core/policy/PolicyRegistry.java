package dev.signalbox.core.policy;

import dev.signalbox.api.RoutingPolicy;
import dev.signalbox.core.config.PolicySpec;
import dev.signalbox.core.config.PolicyTypes;
import dev.signalbox.core.config.RouteSpec;
import dev.signalbox.core.learn.ArtifactFile;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.ServiceLoader;
import java.util.SortedMap;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The policies a gateway knows, by name: every {@link PolicyProvider} on the class path, found with
 * {@link ServiceLoader}. An unknown name fails, listing the known ones.
 */
public final class PolicyRegistry implements PolicyTypes {
  private final SortedMap<String, PolicyProvider<?>> providers;

  private PolicyRegistry(SortedMap<String, PolicyProvider<?>> providers) {
    this.providers = Collections.unmodifiableSortedMap(providers);
  }

  /** The providers on this class's class path: the built-in policies and any plug-in's. */
  public static PolicyRegistry load() {
    return load(PolicyRegistry.class.getClassLoader());
  }

  public static PolicyRegistry load(ClassLoader loader) {
    List<PolicyProvider<?>> found = new java.util.ArrayList<>();
    for (PolicyProvider<?> provider : ServiceLoader.load(PolicyProvider.class, loader)) {
      found.add(provider);
    }
    return of(found);
  }

  /** A registry of exactly these providers. */
  public static PolicyRegistry of(List<? extends PolicyProvider<?>> providers) {
    SortedMap<String, PolicyProvider<?>> byName = new TreeMap<>();
    for (PolicyProvider<?> provider : providers) {
      PolicyProvider<?> other = byName.putIfAbsent(provider.name(), provider);
      if (other != null) {
        throw new IllegalStateException(
            "two policies are named '"
                + provider.name()
                + "': "
                + other.getClass().getName()
                + " and "
                + provider.getClass().getName());
      }
    }
    return new PolicyRegistry(byName);
  }

  @Override
  public SortedSet<String> names() {
    return new TreeSet<>(providers.keySet());
  }

  @Override
  public Optional<Class<? extends PolicySpec>> specType(String policy) {
    return Optional.ofNullable(providers.get(policy)).map(PolicyProvider::specType);
  }

  private PolicyProvider<?> provider(RouteSpec route) {
    PolicyProvider<?> provider = providers.get(route.policy());
    if (provider == null) {
      throw new IllegalArgumentException(
          "unknown policy '"
              + route.policy()
              + "' (known: "
              + String.join(", ", providers.keySet())
              + ")");
    }
    return provider;
  }

  /** The policy deciding {@code route}. */
  public RoutingPolicy create(RouteSpec route, PolicyContext context) {
    return create(provider(route), route, context);
  }

  /** How the gateway runs {@code route}'s plans. */
  public Execution execution(RouteSpec route) {
    return execution(provider(route), route);
  }

  /** The setting {@code eval} sweeps for {@code route}, read from its built policy. */
  public Knob knob(RouteSpec route, RoutingPolicy policy, PolicyContext context) {
    return knob(provider(route), route, policy, context);
  }

  private static <S extends PolicySpec> RoutingPolicy create(
      PolicyProvider<S> provider, RouteSpec route, PolicyContext context) {
    try {
      return provider.create(route, spec(provider, route), context);
    } catch (ArtifactFile.ArtifactException e) {
      throw new PolicyException(e.getMessage(), e);
    }
  }

  private static <S extends PolicySpec> Execution execution(
      PolicyProvider<S> provider, RouteSpec route) {
    return provider.execution(spec(provider, route));
  }

  private static <S extends PolicySpec> Knob knob(
      PolicyProvider<S> provider, RouteSpec route, RoutingPolicy policy, PolicyContext context) {
    return provider.knob(route, spec(provider, route), policy, context);
  }

  private static <S extends PolicySpec> S spec(PolicyProvider<S> provider, RouteSpec route) {
    if (!provider.specType().isInstance(route.spec())) {
      throw new IllegalArgumentException(
          "route '"
              + route.name()
              + "' holds a "
              + route.spec().getClass().getSimpleName()
              + ", policy '"
              + provider.name()
              + "' reads a "
              + provider.specType().getSimpleName());
    }
    return provider.specType().cast(route.spec());
  }
}
