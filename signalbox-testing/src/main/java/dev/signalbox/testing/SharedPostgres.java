package dev.signalbox.testing;

import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * One PostgreSQL server for every test class of a run that takes a {@link PostgresServer} parameter
 * (in a {@code @BeforeAll} method, say) and extends with this: started by the first, each class
 * making its own databases on it ({@link PostgresServer#newDatabase()}), stopped when the run ends.
 * A server takes about a second to start; the classes of a module share one.
 */
public final class SharedPostgres implements ParameterResolver {
  private static final ExtensionContext.Namespace NAMESPACE =
      ExtensionContext.Namespace.create(SharedPostgres.class);

  @Override
  public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
    return parameter.getParameter().getType() == PostgresServer.class;
  }

  @Override
  public PostgresServer resolveParameter(ParameterContext parameter, ExtensionContext context) {
    // The root's store closes what it holds when the run ends.
    return context
        .getRoot()
        .getStore(NAMESPACE)
        .computeIfAbsent(PostgresServer.class, type -> start(), PostgresServer.class);
  }

  private static PostgresServer start() {
    try {
      return new PostgresServer();
    } catch (Exception e) {
      throw new IllegalStateException("cannot start PostgreSQL: " + e.getMessage(), e);
    }
  }
}
