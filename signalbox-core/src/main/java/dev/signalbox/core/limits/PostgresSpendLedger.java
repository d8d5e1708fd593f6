package dev.signalbox.core.limits;

import com.zaxxer.hikari.HikariDataSource;
import dev.signalbox.core.database.SharedDatabase;
import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The spend ledger in PostgreSQL, shared by every replica: one row per settled request ({@code
 * signalbox_spend}, primary key the request id, so a second settlement of the same request inserts
 * nothing), with the ids of the scopes it counted against. Rows are written off the request path in
 * batches by one thread (a request waits for nobody's insert); {@link #flush} and {@link #close}
 * wait until every entry so far has landed. Connections through HikariCP.
 */
public final class PostgresSpendLedger implements SpendLedger {
  private static final Logger LOG = Logger.getLogger(PostgresSpendLedger.class.getName());
  private static final Duration LINGER = Duration.ofMillis(20);
  private static final int BATCH = 500;

  private final HikariDataSource pool;
  private final BlockingQueue<Entry> queue = new LinkedBlockingQueue<>();
  private final Thread writer;
  private final Object landed = new Object();
  private long queued;
  private long written;
  private volatile boolean closing;

  /** Writes to the database behind {@code pool}, and closes it when closed. */
  public PostgresSpendLedger(HikariDataSource pool) {
    this.pool =
        SharedDatabase.createTables(
            pool,
            "spend ledger",
            "CREATE TABLE IF NOT EXISTS signalbox_spend ("
                + " request_id text PRIMARY KEY,"
                + " at timestamptz NOT NULL,"
                + " scopes text[] NOT NULL,"
                + " tokens bigint NOT NULL,"
                + " micro_usd bigint NOT NULL)",
            "CREATE INDEX CONCURRENTLY IF NOT EXISTS signalbox_spend_scopes ON signalbox_spend"
                + " USING gin (scopes)",
            "CREATE INDEX CONCURRENTLY IF NOT EXISTS signalbox_spend_at ON signalbox_spend (at)");
    this.writer = Thread.ofPlatform().name("signalbox-ledger").daemon().start(this::write);
  }

  @Override
  public void record(Entry entry) {
    synchronized (landed) {
      queued++;
    }
    queue.add(entry);
  }

  @Override
  public long spentMicros(String scope, Instant from, Instant to) {
    try (Connection c = pool.getConnection();
        PreparedStatement q =
            c.prepareStatement(
                "SELECT coalesce(sum(micro_usd), 0) FROM signalbox_spend"
                    + " WHERE scopes @> ARRAY[?]::text[] AND at >= ? AND at < ?")) {
      q.setString(1, scope);
      q.setTimestamp(2, Timestamp.from(from));
      q.setTimestamp(3, Timestamp.from(to));
      try (ResultSet r = q.executeQuery()) {
        r.next();
        return r.getLong(1);
      }
    } catch (SQLException e) {
      throw new IllegalStateException("the spend ledger cannot be read: " + e.getMessage(), e);
    }
  }

  /** The total of every entry, for checks against the traces. */
  public long totalMicros() {
    try (Connection c = pool.getConnection();
        Statement s = c.createStatement();
        ResultSet r = s.executeQuery("SELECT coalesce(sum(micro_usd), 0) FROM signalbox_spend")) {
      r.next();
      return r.getLong(1);
    } catch (SQLException e) {
      throw new IllegalStateException("the spend ledger cannot be read: " + e.getMessage(), e);
    }
  }

  /** Waits until every entry recorded so far has landed; false when that took longer. */
  public boolean flush(Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    synchronized (landed) {
      long target = queued;
      while (written < target) {
        long left = deadline - System.nanoTime();
        if (left <= 0) {
          return false;
        }
        TimeUnit.NANOSECONDS.timedWait(landed, left);
      }
      return true;
    }
  }

  private void write() {
    List<Entry> batch = new ArrayList<>();
    while (!closing || !queue.isEmpty()) {
      try {
        Entry first = queue.poll(100, TimeUnit.MILLISECONDS);
        if (first == null) {
          continue;
        }
        Thread.sleep(LINGER); // let a batch gather: one insert for many requests
        batch.add(first);
        queue.drainTo(batch, BATCH - 1);
      } catch (InterruptedException e) {
        queue.drainTo(batch);
      }
      if (!batch.isEmpty()) {
        insert(batch);
        synchronized (landed) {
          written += batch.size();
          landed.notifyAll();
        }
        batch.clear();
      }
    }
  }

  /** Inserts a batch, retrying while the database is away; an entry is never dropped silently. */
  private void insert(List<Entry> batch) {
    for (int tries = 1; ; tries++) {
      try (Connection c = pool.getConnection();
          PreparedStatement insert =
              c.prepareStatement(
                  "INSERT INTO signalbox_spend (request_id, at, scopes, tokens, micro_usd)"
                      + " VALUES (?, ?, ?, ?, ?) ON CONFLICT (request_id) DO NOTHING")) {
        for (Entry entry : batch) {
          Array scopes = c.createArrayOf("text", entry.scopes().toArray());
          insert.setString(1, entry.requestId());
          insert.setTimestamp(2, Timestamp.from(entry.at()));
          insert.setArray(3, scopes);
          insert.setLong(4, entry.charge().tokens());
          insert.setLong(5, entry.charge().microUsd());
          insert.addBatch();
        }
        insert.executeBatch();
        return;
      } catch (SQLException e) {
        LOG.log(
            Level.WARNING,
            "spend ledger: " + batch.size() + " entries not written yet (try " + tries + ")",
            e);
        if (closing && tries >= 3) {
          LOG.severe("spend ledger: " + batch.size() + " entries lost at shutdown");
          return;
        }
        try {
          Thread.sleep(Math.min(5_000, 100L * tries));
        } catch (InterruptedException stop) {
          Thread.currentThread().interrupt();
          closing = true;
        }
      }
    }
  }

  @Override
  public void close() {
    closing = true;
    try {
      writer.join(Duration.ofSeconds(15));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    pool.close();
  }
}
