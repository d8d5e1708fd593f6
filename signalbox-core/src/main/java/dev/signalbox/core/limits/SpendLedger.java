package dev.signalbox.core.limits;

import java.time.Instant;
import java.util.List;

/**
 * The record of what every settled request spent, on which scopes: append-only and keyed by request
 * id, so a request is never recorded twice. It outlives the counters: Redis's budget counters are
 * re-seeded from it after Redis lost them.
 */
public interface SpendLedger extends AutoCloseable {
  /** No ledger: nothing recorded, nothing to re-seed from. */
  SpendLedger NONE =
      new SpendLedger() {
        @Override
        public void record(Entry entry) {}

        @Override
        public long spentMicros(String scope, Instant from, Instant to) {
          return 0;
        }

        @Override
        public boolean present() {
          return false;
        }

        @Override
        public void close() {}
      };

  /** One settled request: its scopes' ids ({@code team:a}) and what it cost. */
  record Entry(String requestId, Instant at, List<String> scopes, Charge charge) {
    public Entry {
      scopes = List.copyOf(scopes);
    }
  }

  /**
   * Records a settled request; one recorded before is left as it is. May return before it lands.
   */
  void record(Entry entry);

  /** The micro-dollars {@code scope} spent in {@code [from, to)}, every recorded entry included. */
  long spentMicros(String scope, Instant from, Instant to);

  /** Whether this is a ledger at all (not {@link #NONE}). */
  default boolean present() {
    return true;
  }

  @Override
  void close();
}
