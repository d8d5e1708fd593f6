package dev.signalbox.core.trace;

import dev.signalbox.core.database.SharedDatabase;
import java.nio.file.Path;
import java.util.Optional;

/** Opens a trace store by where it is: a {@code jdbc:postgresql://} URL or an SQLite file. */
public final class TraceStores {
  private TraceStores() {}

  public static boolean isDatabase(String location) {
    return location.startsWith("jdbc:postgresql://");
  }

  /** Where a store is, for messages: a URL without its parameters (which may hold a password). */
  public static String describe(String location) {
    int query = location.indexOf('?');
    return isDatabase(location) && query >= 0 ? location.substring(0, query) : location;
  }

  /**
   * The store at {@code location}.
   *
   * @param password the database's password, when it is one and needs one
   */
  public static TraceStore open(String location, Optional<String> password) {
    if (isDatabase(location)) {
      return new PostgresTraceStore(SharedDatabase.pool(location, password, "traces", 2));
    }
    return SqliteTraceStore.open(Path.of(location));
  }
}
