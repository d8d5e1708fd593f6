package dev.signalbox.core.limits;

import dev.signalbox.api.ErrorKind;
import dev.signalbox.api.SignalboxException;
import dev.signalbox.api.TimeSource;
import dev.signalbox.core.config.BudgetSpec;
import dev.signalbox.core.config.LimitSpec;
import dev.signalbox.core.net.IoLoops;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisException;
import io.lettuce.core.RedisNoScriptException;
import io.lettuce.core.RedisURI;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.async.RedisAsyncCommands;
import io.lettuce.core.api.sync.RedisCommands;
import io.lettuce.core.resource.ClientResources;
import io.lettuce.core.resource.DefaultClientResources;
import io.lettuce.core.resource.EventLoopGroupProvider;
import io.netty.channel.EventLoopGroup;
import io.netty.util.concurrent.EventExecutorGroup;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.ImmediateEventExecutor;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;

/**
 * Limits shared by every replica through Redis: one Lua script reserves a request on all its scopes
 * at once (Redis runs it alone), on the server's clock, in integer micro-dollars; another settles
 * it once. Every key of the state carries the hash tag {@code {signalbox-limits}}, so the scripts'
 * keys share one slot on Redis Cluster. A lease is a sorted-set entry that the next reservation on
 * its scope frees once it is past its time. When Redis cannot be reached, a request is refused with
 * a 503 naming the store (or admitted, when the config says to fail open), and the trace says
 * which. With a {@link SpendLedger}, a budget's spend in a period is seeded from the ledger before
 * the first reservation of that period on this Redis (a marker key says it was), so a Redis that
 * restarted empty, or a new one, starts from what was really spent. Scripts that a restarted Redis
 * no longer knows are loaded again.
 */
public final class RedisLimitState implements LimitState, AutoCloseable {
  private static final String PREFIX = "signalbox:{signalbox-limits}:";

  private final ClientResources resources;
  private final RedisClient client;
  private final StatefulRedisConnection<String, String> connection;
  private final Script reserve;
  private final Script settle;
  private final Script seed;
  private final SpendLedger ledger;
  private final Duration leaseTtl;
  private final TimeSource time;
  private final boolean failOpen;

  /**
   * This replica's mark on its reservations: request ids are unique in a trace store, not
   * necessarily across replicas.
   */
  private final String replica = java.util.UUID.randomUUID().toString();

  /** A Lua script, by its SHA once Redis has it. */
  private static final class Script {
    private final String body;
    private volatile String sha = "";

    Script(String name) {
      this.body = script(name);
    }
  }

  /**
   * Lettuce's connections on the process's shared loops ({@link IoLoops}), which it never stops.
   */
  private static final class SharedLoops implements EventLoopGroupProvider {
    @Override
    @SuppressWarnings("unchecked") // Lettuce asks for its transport's loops; IoLoops chose the same
    public <T extends EventLoopGroup> T allocate(Class<T> type) {
      return (T) IoLoops.shared();
    }

    @Override
    public int threadPoolSize() {
      return IoLoops.size();
    }

    @Override
    public Future<Boolean> release(
        EventExecutorGroup group, long quietPeriod, long timeout, TimeUnit unit) {
      return ImmediateEventExecutor.INSTANCE.newSucceededFuture(true);
    }

    @Override
    public Future<Boolean> shutdown(long quietPeriod, long timeout, TimeUnit unit) {
      return ImmediateEventExecutor.INSTANCE.newSucceededFuture(true);
    }
  }

  public RedisLimitState(
      String url, Duration leaseTtl, TimeSource time, boolean failOpen, SpendLedger ledger) {
    RedisURI uri = RedisURI.create(url);
    uri.setTimeout(Duration.ofSeconds(2));
    this.resources =
        DefaultClientResources.builder().eventLoopGroupProvider(new SharedLoops()).build();
    this.client = RedisClient.create(resources, uri);
    this.connection = client.connect();
    this.reserve = new Script("reserve.lua");
    this.settle = new Script("settle.lua");
    this.seed = new Script("seed.lua");
    this.ledger = ledger;
    this.leaseTtl = leaseTtl;
    this.time = time;
    this.failOpen = failOpen;
  }

  private static String script(String name) {
    try (InputStream in = RedisLimitState.class.getResourceAsStream(name)) {
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Runs a script, loading it first when Redis does not know it (a restart forgets them all). */
  private List<String> run(Script script, String[] keys, String... args) {
    if (script.sha.isEmpty()) {
      script.sha = commands().scriptLoad(script.body);
    }
    try {
      return commands().evalsha(script.sha, ScriptOutputType.MULTI, keys, args);
    } catch (RedisNoScriptException e) {
      script.sha = commands().scriptLoad(script.body);
      return commands().evalsha(script.sha, ScriptOutputType.MULTI, keys, args);
    }
  }

  /** As {@link #run}, without waiting: loaded again first when Redis forgot the script. */
  private CompletionStage<List<String>> runAsync(Script script, String[] keys, String... args) {
    if (script.sha.isEmpty()) {
      script.sha = commands().scriptLoad(script.body);
    }
    RedisAsyncCommands<String, String> redis = connection.async();
    CompletionStage<List<String>> sent =
        redis.evalsha(script.sha, ScriptOutputType.MULTI, keys, args);
    return sent.exceptionallyCompose(
        e -> {
          Throwable cause = e instanceof CompletionException ? e.getCause() : e;
          if (!(cause instanceof RedisNoScriptException)) {
            return CompletableFuture.failedStage(cause);
          }
          return redis
              .scriptLoad(script.body)
              .thenCompose(
                  sha -> {
                    script.sha = sha;
                    return redis.<List<String>>evalsha(sha, ScriptOutputType.MULTI, keys, args);
                  });
        });
  }

  /**
   * Sets a budget scope's spend in each slice its window counts from the ledger, unless it was
   * seeded already (by this replica or another): the older slices first, the current one (whose
   * marker reservations wait for) last.
   */
  private void seed(Scope.Bound bound, Instant now) {
    BudgetSpec budget = bound.spec().budget().orElseThrow();
    Instant current = budget.sliceEnd(now);
    String marker = PREFIX + bound.scope().id() + ":seeded:" + slice(budget, current);
    if (commands().exists(marker) > 0) {
      return; // seeded before: the ledger need not be read again
    }
    List<Instant> ends = new ArrayList<>(); // oldest first
    for (int age = budget.slices() - 1; age >= 0; age--) {
      ends.add(current.minus(budget.sliceLength().multipliedBy(age)));
    }
    // A rolling window's older slices were seeded in earlier slices: only the missing ones are
    // read from the ledger (each hour, one slice, not the whole window).
    List<String> markers =
        commands()
            .mget(
                ends.stream()
                    .map(end -> PREFIX + bound.scope().id() + ":seeded:" + slice(budget, end))
                    .toArray(String[]::new))
            .stream()
            .map(value -> value.getValueOrElse(""))
            .toList();
    if (ledger instanceof PostgresSpendLedger postgres) {
      try {
        postgres.flush(Duration.ofSeconds(2)); // this replica's own entries first
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    for (int i = 0; i < ends.size(); i++) {
      if (!markers.get(i).isEmpty()) {
        continue;
      }
      Instant end = ends.get(i);
      long spent = ledger.spentMicros(bound.scope().id(), budget.sliceStart(end), end);
      Instant expires = end.plus(budget.keptAfterSliceEnd()).plus(Duration.ofDays(1));
      run(
          seed,
          new String[0],
          PREFIX,
          bound.scope().id(),
          slice(budget, end),
          Long.toString(spent),
          Long.toString(expires.toEpochMilli()));
    }
  }

  @Override
  public Admitted reserve(String request, List<Scope.Bound> bounds, Charge charge, Instant now) {
    String requestId = replica + ":" + request;
    List<Scope.Bound> ordered = ordered(bounds);
    List<String> args = new ArrayList<>();
    args.add(PREFIX);
    args.add(requestId);
    args.add(Long.toString(leaseTtl.toMillis()));
    args.add(Long.toString(charge.tokens()));
    args.add(Long.toString(charge.microUsd()));
    args.add(Integer.toString(ordered.size()));
    for (Scope.Bound bound : ordered) {
      LimitSpec spec = bound.spec();
      args.add(bound.scope().id());
      args.add(Integer.toString(spec.rpm().orElse(0)));
      args.add(Long.toString(spec.tpm().orElse(0)));
      args.add(Integer.toString(spec.concurrent().orElse(0)));
      Optional<BudgetSpec> budget = spec.budget();
      args.add(Long.toString(budget.map(b -> Charge.micros(b.usd())).orElse(-1L)));
      args.add(Long.toString(budget.map(b -> b.sliceEnd(now).toEpochMilli()).orElse(0L)));
      args.add(Long.toString(budget.map(b -> Charge.micros(b.usd() * b.soft())).orElse(0L)));
      args.add(Integer.toString(budget.map(BudgetSpec::slices).orElse(1)));
      args.add(Long.toString(budget.map(b -> b.sliceLength().toMillis()).orElse(0L)));
      args.add(Long.toString(budget.map(b -> b.keptAfterSliceEnd().toMillis()).orElse(0L)));
    }
    args.add(ledger.present() ? "1" : "0");
    List<String> reply;
    try {
      reply = run(reserve, new String[] {PREFIX + "res:" + requestId}, args.toArray(String[]::new));
      for (int seeded = 0; reply.get(0).equals("unseeded") && seeded <= ordered.size(); seeded++) {
        seed(ordered.get(Integer.parseInt(reply.get(1)) - 1), now);
        reply =
            run(reserve, new String[] {PREFIX + "res:" + requestId}, args.toArray(String[]::new));
      }
      if (reply.get(0).equals("unseeded")) {
        throw new IllegalStateException("a budget period stayed unseeded after seeding each scope");
      }
    } catch (RedisException | IllegalStateException e) {
      if (ordered.stream().allMatch(bound -> bound.spec().failOpen().orElse(failOpen))) {
        return new Admitted(
            Map.of("x-signalbox-limits", "unchecked: state store unreachable"), false);
      }
      throw new SignalboxException(
          ErrorKind.NO_ELIGIBLE_MODEL,
          "The limit state store (Redis) is unreachable, and a scope of this request fails closed: "
              + e.getMessage(),
          null,
          "limit_state_unavailable");
    }
    if (reply.get(0).equals("refused")) {
      // Worded here from the state the script saw, on its clock: as this process would word it.
      Scope.Bound bound = ordered.get(Integer.parseInt(reply.get(1)) - 1);
      Instant serverNow = micros(reply.get(2));
      // A rolling budget's retry waits for its oldest spend to leave: read per slice.
      ScopeCounters state =
          bound.spec().budget().filter(BudgetSpec::rolling).isPresent()
              ? view(bound.spec(), reply, 3, spentBySlice(bound, serverNow), serverNow)
              : view(bound.spec(), reply, 3, serverNow);
      throw state
          .check(bound.scope(), bound.spec(), charge, serverNow)
          .orElseGet(() -> unexplained(bound.scope()));
    }
    Instant at = micros(reply.get(1));
    Allowance tightest = Allowance.NONE;
    for (int i = 0; i < ordered.size(); i++) {
      Scope.Bound bound = ordered.get(i);
      tightest =
          tightest.tightest(view(bound.spec(), reply, 2 + i * 5, at).allowance(bound.spec(), at));
    }
    return new Admitted(tightest.headers(), true);
  }

  /**
   * Sent without waiting for Redis's answer (the request that settles is done); Redis runs a
   * connection's commands in order, so this replica's next reservation or usage read sees it.
   */
  @Override
  public CompletionStage<List<BudgetAlert>> settle(String request, Charge used, Instant now) {
    String requestId = replica + ":" + request;
    String[] keys = {PREFIX + "res:" + requestId};
    String[] args = {
      PREFIX, requestId, Long.toString(used.tokens()), Long.toString(used.microUsd())
    };
    try {
      return runAsync(settle, keys, args)
          .thenApply(RedisLimitState::crossed)
          // The lease frees the reservation in time; the spend of this one request is not counted.
          .exceptionally(e -> List.of());
    } catch (RedisException e) {
      return CompletableFuture.completedFuture(List.of());
    }
  }

  /** The scopes a settlement crossed the soft threshold of: id, spend, budget, slice end (ms). */
  private static List<BudgetAlert> crossed(List<String> crossed) {
    List<BudgetAlert> alerts = new ArrayList<>();
    for (int i = 0; i + 3 < crossed.size(); i += 4) {
      alerts.add(
          new BudgetAlert(
              scope(crossed.get(i)),
              Long.parseLong(crossed.get(i + 1)) / 1e6,
              Long.parseLong(crossed.get(i + 2)) / 1e6,
              Instant.ofEpochMilli(Long.parseLong(crossed.get(i + 3)))));
    }
    return alerts;
  }

  @Override
  public ScopeUsage usage(Scope.Bound bound, Instant now) {
    String key = PREFIX + bound.scope().id();
    RedisCommands<String, String> redis = commands();
    if (ledger.present() && bound.spec().budget().isPresent()) {
      seed(bound, now);
    }
    List<String> fields =
        redis.hmget(key, "rat", "tat", "inflight", "reserved").stream()
            .map(value -> value.getValueOrElse("0"))
            .toList();
    return view(bound.spec(), fields, 0, spentBySlice(bound, now), now)
        .usage(bound.scope(), bound.spec(), now);
  }

  /** A slice's name in its keys, as the scripts write it. */
  private static String slice(BudgetSpec budget, Instant end) {
    return (budget.rolling() ? "r" : "") + end.toEpochMilli();
  }

  /** A budget scope's spend in each slice its window counts, oldest first. */
  private long[] spentBySlice(Scope.Bound bound, Instant now) {
    if (bound.spec().budget().isEmpty()) {
      return new long[0];
    }
    BudgetSpec budget = bound.spec().budget().get();
    Instant current = budget.sliceEnd(now);
    String[] slices = new String[budget.slices()];
    for (int i = 0; i < slices.length; i++) {
      Duration age = budget.sliceLength().multipliedBy(slices.length - 1L - i);
      slices[i] = PREFIX + bound.scope().id() + ":spent:" + slice(budget, current.minus(age));
    }
    return commands().mget(slices).stream()
        .mapToLong(slice -> Long.parseLong(slice.getValueOrElse("0")))
        .toArray();
  }

  /** The counters a script returned from {@code from} on: rat, tat, in flight, reserved, spent. */
  private static ScopeCounters view(LimitSpec spec, List<String> values, int from, Instant now) {
    return view(spec, values, from, new long[] {Long.parseLong(values.get(from + 4))}, now);
  }

  private static ScopeCounters view(
      LimitSpec spec, List<String> values, int from, long[] spentBySlice, Instant now) {
    return ScopeCounters.of(
        spec,
        Long.parseLong(values.get(from)) * 1_000,
        Long.parseLong(values.get(from + 1)) * 1_000,
        Integer.parseInt(values.get(from + 2)),
        Long.parseLong(values.get(from + 3)),
        spentBySlice,
        now);
  }

  private static LimitRefusal unexplained(Scope scope) {
    return new LimitRefusal(
        ErrorKind.RATE_LIMITED,
        "Limit reached for " + scope.id() + "; retry in 1s.",
        scope,
        "rate_limit_exceeded",
        Duration.ofSeconds(1),
        Map.of());
  }

  private static Instant micros(String value) {
    long micros = Long.parseLong(value);
    return Instant.ofEpochSecond(micros / 1_000_000, (micros % 1_000_000) * 1_000);
  }

  private static Scope scope(String id) {
    int colon = id.indexOf(':');
    return new Scope(
        Scope.Kind.valueOf(id.substring(0, colon).toUpperCase(java.util.Locale.ROOT)),
        id.substring(colon + 1));
  }

  private static List<Scope.Bound> ordered(List<Scope.Bound> bounds) {
    Map<String, Scope.Bound> byId = new TreeMap<>();
    bounds.forEach(bound -> byId.putIfAbsent(bound.scope().id(), bound));
    return List.copyOf(byId.values());
  }

  private RedisCommands<String, String> commands() {
    return connection.sync();
  }

  @Override
  public void close() {
    connection.close();
    client.shutdown();
    resources.shutdown(); // Lettuce's own timers and computation threads; the loops stay
  }
}
