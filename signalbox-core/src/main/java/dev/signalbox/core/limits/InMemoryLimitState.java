package dev.signalbox.core.limits;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentSkipListMap;

/**
 * Limits in this process's memory: the embedded default, exact for one gateway (replicas need a
 * shared state). Each scope has its own lock; a request takes the locks of its scopes in one order
 * (by scope id), checks every scope, then reserves on every one, so that concurrent requests cannot
 * both fit into the last of a budget, and no two requests deadlock.
 */
public final class InMemoryLimitState implements LimitState {
  private final ConcurrentHashMap<String, ScopeCounters> counters = new ConcurrentHashMap<>();
  private final ConcurrentHashMap<String, Held> held = new ConcurrentHashMap<>();

  /** Reservations by expiry, for freeing the ones never settled. */
  private final ConcurrentSkipListMap<Expiry, String> expiries = new ConcurrentSkipListMap<>();

  private final Duration leaseTtl;

  private record Held(List<Scope.Bound> bounds, Charge charge, Expiry expiry) {}

  private record Expiry(Instant at, String requestId) implements Comparable<Expiry> {
    private static final Comparator<Expiry> ORDER =
        Comparator.comparing(Expiry::at).thenComparing(Expiry::requestId);

    @Override
    public int compareTo(Expiry other) {
      return ORDER.compare(this, other);
    }
  }

  public InMemoryLimitState(Duration leaseTtl) {
    this.leaseTtl = leaseTtl;
  }

  @Override
  public Admitted reserve(String requestId, List<Scope.Bound> bounds, Charge charge, Instant now) {
    freeExpired(now);
    List<Scope.Bound> ordered = ordered(bounds);
    List<ScopeCounters> locked = lock(ordered);
    try {
      for (int i = 0; i < ordered.size(); i++) {
        Scope.Bound bound = ordered.get(i);
        Optional<LimitRefusal> refusal =
            locked.get(i).check(bound.scope(), bound.spec(), charge, now);
        if (refusal.isPresent()) {
          throw refusal.get();
        }
      }
      Allowance tightest = Allowance.NONE;
      for (int i = 0; i < ordered.size(); i++) {
        Scope.Bound bound = ordered.get(i);
        locked.get(i).reserve(bound.spec(), charge, now);
        tightest = tightest.tightest(locked.get(i).allowance(bound.spec(), now));
      }
      Map<String, String> headers = tightest.headers();
      Expiry expiry = new Expiry(now.plus(leaseTtl), requestId);
      held.put(requestId, new Held(ordered, charge, expiry));
      expiries.put(expiry, requestId);
      return new Admitted(headers, true);
    } finally {
      unlock(locked);
    }
  }

  @Override
  public CompletionStage<List<BudgetAlert>> settle(String requestId, Charge used, Instant now) {
    return CompletableFuture.completedFuture(settleNow(requestId, used, now));
  }

  private List<BudgetAlert> settleNow(String requestId, Charge used, Instant now) {
    Held reservation = held.remove(requestId);
    if (reservation == null) {
      return List.of();
    }
    expiries.remove(reservation.expiry());
    List<ScopeCounters> locked = lock(reservation.bounds());
    List<BudgetAlert> crossed = new ArrayList<>();
    try {
      for (int i = 0; i < locked.size(); i++) {
        Scope.Bound bound = reservation.bounds().get(i);
        locked
            .get(i)
            .settle(bound.scope(), bound.spec(), reservation.charge(), used, now)
            .ifPresent(crossed::add);
      }
    } finally {
      unlock(locked);
    }
    return crossed;
  }

  @Override
  public ScopeUsage usage(Scope.Bound bound, Instant now) {
    ScopeCounters scope = counters(bound.scope());
    scope.lock.lock();
    try {
      return scope.usage(bound.scope(), bound.spec(), now);
    } finally {
      scope.lock.unlock();
    }
  }

  /** Frees reservations past their lease: their request never ended (it is charged nothing). */
  private void freeExpired(Instant now) {
    while (true) {
      Map.Entry<Expiry, String> first = expiries.firstEntry();
      if (first == null || first.getKey().at().isAfter(now)) {
        return;
      }
      settle(first.getValue(), Charge.NONE, now);
      expiries.remove(first.getKey());
    }
  }

  /** One bound per scope, by scope id: the one order every request locks in. */
  private static List<Scope.Bound> ordered(List<Scope.Bound> bounds) {
    Map<String, Scope.Bound> byId = new java.util.TreeMap<>();
    bounds.forEach(bound -> byId.putIfAbsent(bound.scope().id(), bound));
    return List.copyOf(byId.values());
  }

  private ScopeCounters counters(Scope scope) {
    return counters.computeIfAbsent(scope.id(), id -> new ScopeCounters());
  }

  private List<ScopeCounters> lock(List<Scope.Bound> ordered) {
    List<ScopeCounters> locked = new ArrayList<>(ordered.size());
    for (Scope.Bound bound : ordered) {
      ScopeCounters scope = counters(bound.scope());
      scope.lock.lock();
      locked.add(scope);
    }
    return locked;
  }

  private static void unlock(List<ScopeCounters> locked) {
    for (int i = locked.size() - 1; i >= 0; i--) {
      locked.get(i).lock.unlock();
    }
  }
}
