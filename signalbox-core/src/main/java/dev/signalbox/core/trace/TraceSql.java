package dev.signalbox.core.trace;

import java.sql.ResultSet;
import java.sql.SQLException;

/**
 * Where the two stores' SQL differs, so that the summaries and the dashboard's queries are written
 * once: the embedded SQLite file, and the PostgreSQL database replicas share (whose tables carry a
 * {@code signalbox_} prefix, as they may sit beside an application's own).
 */
enum TraceSql {
  SQLITE("", "time", "rowid", "") {
    @Override
    String total(String expression) {
      return "TOTAL(" + expression + ")";
    }

    @Override
    String indexHint(String index) {
      return " INDEXED BY " + table(index);
    }

    @Override
    String tableOptions() {
      return " WITHOUT ROWID";
    }

    @Override
    String feedbackTime(ResultSet row, int column) throws SQLException {
      return row.getString(column);
    }
  },
  POSTGRES("signalbox_", "at", "seq", "CONCURRENTLY ") {
    @Override
    String total(String expression) {
      return "COALESCE(SUM(" + expression + "), 0)";
    }

    @Override
    String indexHint(String index) {
      return "";
    }

    @Override
    String tableOptions() {
      return "";
    }

    @Override
    String feedbackTime(ResultSet row, int column) throws SQLException {
      return row.getTimestamp(column).toInstant().toString();
    }
  };

  private final String prefix;
  private final String feedbackTimeColumn;
  private final String feedbackOrder;
  private final String concurrently;

  TraceSql(String prefix, String feedbackTimeColumn, String feedbackOrder, String concurrently) {
    this.prefix = prefix;
    this.feedbackTimeColumn = feedbackTimeColumn;
    this.feedbackOrder = feedbackOrder;
    this.concurrently = concurrently;
  }

  /**
   * Builds an index, without holding the table's writers back where the store can: on a shared
   * PostgreSQL store, replicas of the version before keep writing traces while the first of a new
   * version builds the indexes it adds (and a plain {@code IF NOT EXISTS} would take the table's
   * write lock even for an index that exists).
   */
  String createIndex(String index, String onTableAndColumns) {
    return "CREATE INDEX "
        + concurrently
        + "IF NOT EXISTS "
        + table(index)
        + " ON "
        + onTableAndColumns;
  }

  /** Drops an index, as {@link #createIndex} builds one. */
  String dropIndex(String index) {
    return "DROP INDEX " + concurrently + "IF EXISTS " + table(index);
  }

  /** A table's or an index's name in this store. */
  String table(String name) {
    return prefix + name;
  }

  /** A sum that is 0, not null, over no rows. */
  abstract String total(String expression);

  /** How many of the rows are not {@code ok}. */
  String errors() {
    return total("CASE WHEN outcome <> 'ok' THEN 1 ELSE 0 END");
  }

  /** Makes the planner use {@code index}, where the store's planner needs telling. */
  abstract String indexHint(String index);

  /** What follows a summary table's definition. */
  abstract String tableOptions();

  /** The feedback table's column for when it was given. */
  String feedbackTimeColumn() {
    return feedbackTimeColumn;
  }

  /** What orders the feedback table by arrival. */
  String feedbackOrder() {
    return feedbackOrder;
  }

  /** A feedback time read from {@link #feedbackTimeColumn()}, as ISO-8601. */
  abstract String feedbackTime(ResultSet row, int column) throws SQLException;
}
