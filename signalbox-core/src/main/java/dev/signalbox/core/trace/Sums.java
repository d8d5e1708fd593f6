package dev.signalbox.core.trace;

import java.sql.ResultSet;
import java.sql.SQLException;

/**
 * What a group of traces adds up to: what the hourly sums store and the overview reports, from
 * summary rows, stored hours, or both added together.
 */
final class Sums {
  long requests;
  long errors;
  long inputTokens;
  long outputTokens;
  double costUsd;
  double latencyMs;

  /** Reads requests, errors, cost, input, output and latency from six columns on. */
  static Sums read(ResultSet result, int column) throws SQLException {
    Sums sums = new Sums();
    sums.requests = (long) result.getDouble(column);
    sums.errors = (long) result.getDouble(column + 1);
    sums.costUsd = result.getDouble(column + 2);
    sums.inputTokens = (long) result.getDouble(column + 3);
    sums.outputTokens = (long) result.getDouble(column + 4);
    sums.latencyMs = result.getDouble(column + 5);
    return sums;
  }

  void add(Sums other) {
    requests += other.requests;
    errors += other.errors;
    inputTokens += other.inputTokens;
    outputTokens += other.outputTokens;
    costUsd += other.costUsd;
    latencyMs += other.latencyMs;
  }

  void add(TraceRow row) {
    requests++;
    errors += row.outcome().equals("ok") ? 0 : 1;
    inputTokens += row.inputTokens();
    outputTokens += row.outputTokens();
    costUsd += row.costUsd();
    latencyMs += row.latencyMs();
  }
}
