package dev.signalbox.core.config;

import java.util.Optional;

/**
 * The PostgreSQL database replicas share: with a {@code url}, every replica keeps its traces (and
 * their feedback and configs), the virtual keys made through the admin API, and the spend ledger
 * there, so that any replica (and {@code traces}, {@code eval}, {@code replay}, {@code feedback})
 * sees what all of them did. Without it each process keeps its own SQLite files.
 *
 * @param url a {@code jdbc:postgresql://host:5432/db?user=signalbox} URL
 * @param passwordEnv the environment variable holding the password, if the database needs one
 */
public record DatabaseSettings(Optional<String> url, Optional<String> passwordEnv) {
  public static final DatabaseSettings NONE =
      new DatabaseSettings(Optional.empty(), Optional.empty());

  public DatabaseSettings {
    if (url.isPresent() && !url.get().startsWith("jdbc:postgresql://")) {
      throw new ConfigProblem("url", "expected a jdbc:postgresql:// URL");
    }
  }
}
