package dev.signalbox.core.trace;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.zaxxer.hikari.HikariDataSource;
import dev.signalbox.api.ErrorKind;
import dev.signalbox.api.SignalboxException;
import dev.signalbox.core.wire.Json;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.locks.ReentrantLock;
import org.sqlite.SQLiteConfig;

/**
 * Reads the trace store for the dashboard and its JSON API: an SQLite file on a read-only
 * connection of its own, so that a search never holds up the trace writer (the store is in WAL
 * mode), or the database replicas share through a small pool of its own, where every replica's
 * traces are found. Every query has a limit or a time range, and reads the narrow indexed summary
 * table, not the traces' JSON.
 */
public final class TraceExplorer implements AutoCloseable {
  /** The most buckets an overview's series is cut into. */
  public static final int MAX_BUCKETS = 200;

  private static final String COLUMNS =
      "id, time_ms, route, requested_model, model, deployment, outcome, tenant, cost_usd,"
          + " latency_ms, input_tokens, output_tokens, stream, attempts, chain, key_name, team";

  private final TraceSql sql;
  private final Reads reads;
  private final String rowsTable;

  private TraceExplorer(TraceSql sql, Reads reads) {
    this.sql = sql;
    this.reads = reads;
    this.rowsTable = sql.table("trace_rows");
  }

  /** Opens the store the {@link SqliteTraceStore} of {@code file} writes (open that one first). */
  public static TraceExplorer open(Path file) {
    SqliteLibrary.useCachedCopy();
    try {
      SQLiteConfig config = new SQLiteConfig();
      config.setReadOnly(true);
      config.setBusyTimeout(5_000);
      return new TraceExplorer(
          TraceSql.SQLITE, new OneConnection(config.createConnection("jdbc:sqlite:" + file)));
    } catch (SQLException e) {
      throw new IllegalStateException("cannot read trace store " + file + ": " + e.getMessage(), e);
    }
  }

  /**
   * Reads the store a {@link PostgresTraceStore} writes in the shared database (open that one
   * first); closes {@code pool} when closed.
   */
  public static TraceExplorer shared(HikariDataSource pool) {
    return new TraceExplorer(TraceSql.POSTGRES, new PooledConnections(pool));
  }

  /** The traces that match, newest first, as summaries. */
  public ArrayNode search(TraceQuery query) {
    return read(c -> search(c, query));
  }

  private ArrayNode search(Connection connection, TraceQuery query) throws SQLException {
    Search search = statement(connection, query);
    ArrayNode rows = Json.MAPPER.createArrayNode();
    try (PreparedStatement statement = prepare(connection, search.sql(), search.arguments());
        ResultSet result = statement.executeQuery()) {
      while (result.next()) {
        rows.add(row(result));
      }
    }
    return rows;
  }

  /**
   * The statement a search runs, with its arguments: for a test to see how the database runs it.
   */
  Search searchStatement(TraceQuery query) {
    return read(c -> statement(c, query));
  }

  record Search(String sql, List<Object> arguments) {}

  private Search statement(Connection connection, TraceQuery query) throws SQLException {
    StringBuilder select =
        new StringBuilder("SELECT " + COLUMNS + " FROM " + rowsTable + " WHERE 1 = 1");
    List<Object> arguments = new ArrayList<>();
    query.from().ifPresent(t -> where(select, arguments, "time_ms >= ?", t.toEpochMilli()));
    query.to().ifPresent(t -> where(select, arguments, "time_ms < ?", t.toEpochMilli()));
    query.route().ifPresent(v -> where(select, arguments, "route = ?", v));
    query.model().ifPresent(v -> where(select, arguments, "model = ?", v));
    query.deployment().ifPresent(v -> where(select, arguments, "deployment = ?", v));
    query
        .outcome()
        .ifPresent(
            v ->
                where(
                    select,
                    arguments,
                    v.equals("ok") ? "outcome = ?" : "outcome = ? AND " + TraceSummaries.FAILED,
                    v));
    query.tenant().ifPresent(v -> where(select, arguments, "tenant = ?", v));
    query
        .key()
        .ifPresent(v -> where(select, arguments, "key_name = ? AND " + TraceSummaries.KEYED, v));
    query
        .team()
        .ifPresent(v -> where(select, arguments, "team = ? AND " + TraceSummaries.IN_A_TEAM, v));
    query.minCost().ifPresent(v -> where(select, arguments, "cost_usd >= ?", v));
    query.maxCost().ifPresent(v -> where(select, arguments, "cost_usd <= ?", v));
    query.minLatencyMs().ifPresent(v -> where(select, arguments, "latency_ms >= ?", v));
    query.maxLatencyMs().ifPresent(v -> where(select, arguments, "latency_ms <= ?", v));
    if (query.before().isPresent()) {
      long cursor = cursor(connection, query.before().get());
      select.append(" AND (time_ms < ? OR (time_ms = ? AND id < ?))");
      arguments.add(cursor);
      arguments.add(cursor);
      arguments.add(query.before().get());
    }
    select.append(" ORDER BY time_ms DESC, id DESC LIMIT ?");
    arguments.add(query.limit());
    return new Search(select.toString(), arguments);
  }

  private long cursor(Connection connection, String id) throws SQLException {
    try (PreparedStatement statement =
        prepare(connection, "SELECT time_ms FROM " + rowsTable + " WHERE id = ?", List.of(id))) {
      try (ResultSet result = statement.executeQuery()) {
        if (!result.next()) {
          throw TraceQuery.invalid("before", "names no trace ('" + id + "')");
        }
        return result.getLong(1);
      }
    }
  }

  /** One trace's stored JSON. */
  public Optional<String> trace(String id) {
    return read(
        c -> {
          try (PreparedStatement statement =
                  prepare(
                      c, "SELECT json FROM " + sql.table("traces") + " WHERE id = ?", List.of(id));
              ResultSet result = statement.executeQuery()) {
            return result.next() ? Optional.of(result.getString(1)) : Optional.empty();
          }
        });
  }

  /** The feedback given on one request, oldest first. */
  public ArrayNode feedback(String id) {
    String query =
        "SELECT "
            + sql.feedbackTimeColumn()
            + ", score, comment, source FROM "
            + sql.table("feedback")
            + " WHERE request_id = ? ORDER BY "
            + sql.feedbackOrder();
    return read(
        c -> {
          try (PreparedStatement statement = prepare(c, query, List.of(id));
              ResultSet result = statement.executeQuery()) {
            ArrayNode feedback = Json.MAPPER.createArrayNode();
            while (result.next()) {
              feedback
                  .addObject()
                  .put("time", sql.feedbackTime(result, 1))
                  .put("score", result.getDouble(2))
                  .put("comment", result.getString(3))
                  .put("source", result.getString(4));
            }
            return feedback;
          }
        });
  }

  /** How many requests each limit scope refused in a time range, by scope id. */
  public Map<String, Long> refusals(Instant from, Instant to) {
    String query =
        "SELECT refused_scope, COUNT(*) FROM "
            + rowsTable
            + " WHERE refused_scope <> '' AND time_ms >= ? AND time_ms < ? GROUP BY 1 ORDER BY 2"
            + " DESC LIMIT 10000";
    return read(
        c -> {
          Map<String, Long> refusals = new LinkedHashMap<>();
          try (PreparedStatement statement =
                  prepare(c, query, List.of(from.toEpochMilli(), to.toEpochMilli()));
              ResultSet result = statement.executeQuery()) {
            while (result.next()) {
              refusals.put(result.getString(1), result.getLong(2));
            }
          }
          return refusals;
        });
  }

  /**
   * Spend, tokens, errors, latency and mean feedback over a time range: in total, per route, model,
   * deployment and tenant, and per time bucket and route. The totals add up the hourly sums for the
   * range's whole hours and read the summary rows only for the hours it cuts; a series of buckets
   * of an hour or more does the same, placing each hour in the bucket where it starts.
   */
  public ObjectNode overview(Instant from, Instant to, int buckets) {
    return overview(from, to, buckets, "route");
  }

  /**
   * As {@link #overview(Instant, Instant, int)}, the series per {@code seriesBy}: route, model,
   * deployment, tenant, team or key.
   */
  public ObjectNode overview(Instant from, Instant to, int buckets, String seriesBy) {
    if (!TraceSummaries.DIMENSIONS.contains(seriesBy) || seriesBy.equals("all")) {
      throw TraceQuery.invalid(
          "series_by", "must be one of route, model, deployment, tenant, team, key");
    }
    if (!to.isAfter(from)) {
      throw TraceQuery.invalid("to", "must be after 'from'");
    }
    if (buckets < 1 || buckets > MAX_BUCKETS) {
      throw TraceQuery.invalid("buckets", "must be from 1 to " + MAX_BUCKETS);
    }
    long start = from.toEpochMilli();
    long end = to.toEpochMilli();
    long width = Math.max(1, (end - start + buckets - 1) / buckets);
    long firstHour = Math.floorDiv(start + TraceSummaries.HOUR_MS - 1, TraceSummaries.HOUR_MS);
    long lastHour = Math.floorDiv(end, TraceSummaries.HOUR_MS);
    boolean byHours = firstHour < lastHour;
    boolean seriesByHours = byHours && width >= TraceSummaries.HOUR_MS;
    ObjectNode overview =
        Json.object().put("from", from.toString()).put("to", to.toString()).put("bucket_ms", width);
    return read(
        c -> {
          Map<String, ArrayNode> groups = new LinkedHashMap<>();
          for (String dimension : TraceSummaries.DIMENSIONS) {
            Map<String, Sums> sums;
            if (byHours) {
              sums = rowSums(c, dimension, start, firstHour * TraceSummaries.HOUR_MS);
              add(sums, hourSums(c, dimension, firstHour, lastHour));
              add(sums, rowSums(c, dimension, lastHour * TraceSummaries.HOUR_MS, end));
            } else {
              sums = rowSums(c, dimension, start, end);
            }
            groups.put(dimension, groups(sums));
          }
          feedback(c, start, end, groups);
          groups.forEach(
              (dimension, g) -> {
                if (dimension.equals("all")) {
                  overview.set("total", g.get(0));
                } else {
                  overview.set("by_" + dimension, g);
                }
              });
          Map<List<Object>, Sums> series;
          if (seriesByHours) {
            series =
                rowSeries(c, seriesBy, start, firstHour * TraceSummaries.HOUR_MS, start, width);
            add(series, hourSeries(c, seriesBy, firstHour, lastHour, start, width));
            add(
                series,
                rowSeries(c, seriesBy, lastHour * TraceSummaries.HOUR_MS, end, start, width));
          } else {
            series = rowSeries(c, seriesBy, start, end, start, width);
          }
          overview.put("series_by", seriesBy);
          overview.set("series", seriesJson(series, start, width));
          return overview;
        });
  }

  private String rowSums() {
    return "COUNT(*), " + TraceSummaries.sums(sql);
  }

  private String hourSums() {
    return String.join(
        ", ",
        sql.total("requests"),
        sql.total("errors"),
        sql.total("cost_usd"),
        sql.total("input_tokens"),
        sql.total("output_tokens"),
        sql.total("latency_ms"));
  }

  /** The summary rows in a time range, read along the time index. */
  private String rowsByTime() {
    return rowsTable + sql.indexHint("trace_rows_by_time") + " WHERE time_ms >= ? AND time_ms < ?";
  }

  private static String column(String dimension) {
    return TraceSummaries.column(dimension);
  }

  private Map<String, Sums> rowSums(Connection c, String dimension, long start, long end)
      throws SQLException {
    Map<String, Sums> sums = new LinkedHashMap<>();
    if (end <= start) {
      return sums;
    }
    try (PreparedStatement statement =
            prepare(
                c,
                "SELECT "
                    + column(dimension)
                    + ", "
                    + rowSums()
                    + " FROM "
                    + rowsByTime()
                    + " GROUP BY 1",
                List.of(start, end));
        ResultSet result = statement.executeQuery()) {
      while (result.next()) {
        sums.put(result.getString(1), Sums.read(result, 2));
      }
    }
    return sums;
  }

  private Map<String, Sums> hourSums(Connection c, String dimension, long firstHour, long lastHour)
      throws SQLException {
    Map<String, Sums> sums = new LinkedHashMap<>();
    try (PreparedStatement statement =
            prepare(
                c,
                "SELECT name, "
                    + hourSums()
                    + " FROM "
                    + sql.table("trace_hours")
                    + " WHERE dimension = ? AND hour >= ? AND hour < ? GROUP BY 1",
                List.of(dimension, firstHour, lastHour));
        ResultSet result = statement.executeQuery()) {
      while (result.next()) {
        sums.put(result.getString(1), Sums.read(result, 2));
      }
    }
    return sums;
  }

  private static <K> void add(Map<K, Sums> into, Map<K, Sums> more) {
    more.forEach((key, sums) -> into.computeIfAbsent(key, k -> new Sums()).add(sums));
  }

  /** The groups as JSON, the dearest first; one empty group when there are none. */
  private static ArrayNode groups(Map<String, Sums> sums) {
    ArrayNode groups = Json.MAPPER.createArrayNode();
    if (sums.isEmpty()) {
      sums.put("all", new Sums());
    }
    sums.entrySet().stream()
        .sorted((a, b) -> Double.compare(b.getValue().costUsd, a.getValue().costUsd))
        .forEach(
            e ->
                groups
                    .addObject()
                    .put("name", e.getKey())
                    .put("requests", e.getValue().requests)
                    .put("errors", e.getValue().errors)
                    .put("cost_usd", e.getValue().costUsd)
                    .put("input_tokens", e.getValue().inputTokens)
                    .put("output_tokens", e.getValue().outputTokens)
                    .put(
                        "mean_latency_ms",
                        e.getValue().requests == 0
                            ? 0.0
                            : e.getValue().latencyMs / e.getValue().requests));
    return groups;
  }

  /**
   * At most how many feedback rows the store holds (its highest sequence number), read without a
   * scan.
   */
  private long feedbackRows(Connection c) throws SQLException {
    try (PreparedStatement statement =
            prepare(
                c,
                "SELECT COALESCE(MAX("
                    + sql.feedbackOrder()
                    + "), 0) FROM "
                    + sql.table("feedback"),
                List.of());
        ResultSet result = statement.executeQuery()) {
      result.next();
      return result.getLong(1);
    }
  }

  /**
   * Adds to each group of every dimension its mean feedback score and how many feedback rows judged
   * its requests: one pass over the range's judged requests, not one per dimension. The pass starts
   * from the smaller side, which SQLite cannot tell without statistics: left to itself it walked
   * the range's every summary row (a million over 30 days) to look for feedback that few requests
   * have. A cross join keeps SQLite's tables in the order written; PostgreSQL orders them by its
   * own statistics.
   */
  private void feedback(Connection c, long start, long end, Map<String, ArrayNode> groups)
      throws SQLException {
    long requests = groups.get("all").get(0).path("requests").asLong();
    if (requests == 0) {
      return;
    }
    boolean feedbackFirst = feedbackRows(c) < requests;
    String feedback = sql.table("feedback") + " f";
    String rows = rowsTable + " r";
    List<String> dimensions = new ArrayList<>(groups.keySet());
    StringBuilder query = new StringBuilder("SELECT f.score");
    for (String dimension : dimensions) {
      query.append(", ").append(dimension.equals("all") ? "'all'" : "r." + column(dimension));
    }
    query
        .append(" FROM ")
        .append(feedbackFirst ? feedback + " CROSS JOIN " + rows : rows + " CROSS JOIN " + feedback)
        .append(" WHERE r.id = f.request_id AND r.time_ms >= ? AND r.time_ms < ?");
    Map<String, Map<String, double[]>> judged = new LinkedHashMap<>();
    try (PreparedStatement statement = prepare(c, query.toString(), List.of(start, end));
        ResultSet result = statement.executeQuery()) {
      while (result.next()) {
        double score = result.getDouble(1);
        for (int i = 0; i < dimensions.size(); i++) {
          double[] scoreAndCount =
              judged
                  .computeIfAbsent(dimensions.get(i), d -> new LinkedHashMap<>())
                  .computeIfAbsent(result.getString(i + 2), n -> new double[2]);
          scoreAndCount[0] += score;
          scoreAndCount[1]++;
        }
      }
    }
    judged.forEach(
        (dimension, byName) -> {
          for (var group : groups.get(dimension)) {
            double[] scoreAndCount = byName.get(group.path("name").asText());
            if (scoreAndCount != null) {
              ((ObjectNode) group)
                  .put("mean_feedback", scoreAndCount[0] / scoreAndCount[1])
                  .put("feedback", (long) scoreAndCount[1]);
            }
          }
        });
  }

  /** Sums by (bucket, route) of the rows in [from, to), buckets counted from {@code start}. */
  private Map<List<Object>, Sums> rowSeries(
      Connection c, String dimension, long from, long to, long start, long width)
      throws SQLException {
    Map<List<Object>, Sums> series = new LinkedHashMap<>();
    if (to <= from) {
      return series;
    }
    try (PreparedStatement statement =
            prepare(
                c,
                "SELECT (time_ms - ?) / ?, "
                    + column(dimension)
                    + ", "
                    + rowSums()
                    + " FROM "
                    + rowsByTime()
                    + " GROUP BY 1, 2",
                List.of(start, width, from, to));
        ResultSet result = statement.executeQuery()) {
      while (result.next()) {
        series.put(List.of(result.getLong(1), result.getString(2)), Sums.read(result, 3));
      }
    }
    return series;
  }

  /** The same from the hourly sums: each hour in the bucket where it starts. */
  private Map<List<Object>, Sums> hourSeries(
      Connection c, String dimension, long firstHour, long lastHour, long start, long width)
      throws SQLException {
    Map<List<Object>, Sums> series = new LinkedHashMap<>();
    try (PreparedStatement statement =
            prepare(
                c,
                "SELECT (hour * "
                    + TraceSummaries.HOUR_MS
                    + " - ?) / ?, name, "
                    + hourSums()
                    + " FROM "
                    + sql.table("trace_hours")
                    + " WHERE dimension = ? AND hour >= ? AND hour < ? GROUP BY 1, 2",
                List.of(start, width, dimension, firstHour, lastHour));
        ResultSet result = statement.executeQuery()) {
      while (result.next()) {
        series.put(List.of(result.getLong(1), result.getString(2)), Sums.read(result, 3));
      }
    }
    return series;
  }

  private static ArrayNode seriesJson(Map<List<Object>, Sums> series, long start, long width) {
    ArrayNode points = Json.MAPPER.createArrayNode();
    series.entrySet().stream()
        .sorted(
            (a, b) -> {
              int byBucket = Long.compare((Long) a.getKey().get(0), (Long) b.getKey().get(0));
              return byBucket != 0
                  ? byBucket
                  : ((String) a.getKey().get(1)).compareTo((String) b.getKey().get(1));
            })
        .forEach(
            e ->
                points
                    .addObject()
                    .put(
                        "time",
                        Instant.ofEpochMilli(start + (Long) e.getKey().get(0) * width).toString())
                    .put("name", (String) e.getKey().get(1))
                    .put("requests", e.getValue().requests)
                    .put("errors", e.getValue().errors)
                    .put("cost_usd", e.getValue().costUsd)
                    .put("input_tokens", e.getValue().inputTokens)
                    .put("output_tokens", e.getValue().outputTokens));
    return points;
  }

  private static void where(
      StringBuilder sql, List<Object> arguments, String clause, Object value) {
    sql.append(" AND ").append(clause);
    arguments.add(value);
  }

  private static PreparedStatement prepare(Connection connection, String sql, List<?> arguments)
      throws SQLException {
    PreparedStatement statement = connection.prepareStatement(sql);
    for (int i = 0; i < arguments.size(); i++) {
      statement.setObject(i + 1, arguments.get(i));
    }
    return statement;
  }

  private static ObjectNode row(ResultSet result) throws SQLException {
    return Json.object()
        .put("id", result.getString(1))
        .put("time", Instant.ofEpochMilli(result.getLong(2)).toString())
        .put("route", result.getString(3))
        .put("requested_model", result.getString(4))
        .put("model", result.getString(5))
        .put("deployment", result.getString(6))
        .put("outcome", result.getString(7))
        .put("tenant", result.getString(8))
        .put("cost_usd", result.getDouble(9))
        .put("latency_ms", result.getDouble(10))
        .put("input_tokens", result.getLong(11))
        .put("output_tokens", result.getLong(12))
        .put("stream", result.getInt(13) == 1)
        .put("attempts", result.getInt(14))
        .put("chain", result.getString(15))
        .put("key", result.getString(16))
        .put("team", result.getString(17));
  }

  private static SignalboxException unreadable(SQLException e) {
    return new SignalboxException(
        ErrorKind.INTERNAL,
        "The trace store could not be read: " + e.getMessage(),
        null,
        "trace_store_error");
  }

  private <T> T read(Read<T> read) {
    try {
      return reads.run(read);
    } catch (SQLException e) {
      throw unreadable(e);
    }
  }

  @Override
  public void close() {
    reads.close();
  }

  /** One read of the store on a connection it lends. */
  @FunctionalInterface
  private interface Read<T> {
    T on(Connection connection) throws SQLException;
  }

  /** Where the explorer's connections come from. */
  private interface Reads {
    <T> T run(Read<T> read) throws SQLException;

    void close();
  }

  /** The SQLite file's one read-only connection, one read at a time. */
  private static final class OneConnection implements Reads {
    private final Connection connection;
    private final ReentrantLock lock = new ReentrantLock();

    OneConnection(Connection connection) {
      this.connection = connection;
    }

    @Override
    public <T> T run(Read<T> read) throws SQLException {
      lock.lock();
      try {
        return read.on(connection);
      } finally {
        lock.unlock();
      }
    }

    @Override
    public void close() {
      lock.lock();
      try {
        connection.close();
      } catch (SQLException ignored) {
        // Read-only: nothing to save.
      } finally {
        lock.unlock();
      }
    }
  }

  /** The shared database, a pooled connection per read. */
  private record PooledConnections(HikariDataSource pool) implements Reads {
    @Override
    public <T> T run(Read<T> read) throws SQLException {
      try (Connection connection = pool.getConnection()) {
        return read.on(connection);
      }
    }

    @Override
    public void close() {
      pool.close();
    }
  }
}
