package dev.signalbox.core.limits;

import dev.signalbox.api.ErrorKind;
import dev.signalbox.api.SignalboxException;
import dev.signalbox.api.TimeSource;
import dev.signalbox.core.config.LimitSpec;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisException;
import io.lettuce.core.RedisNoScriptException;
import io.lettuce.core.RedisURI;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

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

  public RedisLimitState(
      String url, Duration leaseTtl, TimeSource time, boolean failOpen, SpendLedger ledger) {
    RedisURI uri = RedisURI.create(url);
    uri.setTimeout(Duration.ofSeconds(2));
    this.client = RedisClient.create(uri);
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

  /**
   * Sets a budget scope's spend this period from the ledger, unless it was seeded already (by this
   * replica or another).
   */
  private void seed(Scope.Bound bound, Instant now) {
    var budget = bound.spec().budget().orElseThrow();
    Instant start = budget.period().start(now);
    Instant end = budget.period().end(now);
    String marker = PREFIX + bound.scope().id() + ":seeded:" + end.toEpochMilli();
    if (commands().exists(marker) > 0) {
      return; // seeded before: the ledger need not be read again
    }
    if (ledger instanceof PostgresSpendLedger postgres) {
      try {
        postgres.flush(Duration.ofSeconds(2)); // this replica's own entries first
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    long spent = ledger.spentMicros(bound.scope().id(), start, end);
    run(
        seed,
        new String[0],
        PREFIX,
        bound.scope().id(),
        Long.toString(end.toEpochMilli()),
        Long.toString(spent));
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
      args.add(Long.toString(spec.budget().map(b -> Charge.micros(b.usd())).orElse(-1L)));
      args.add(
          Long.toString(spec.budget().map(b -> b.period().end(now).toEpochMilli()).orElse(0L)));
      args.add(Long.toString(spec.budget().map(b -> Charge.micros(b.usd() * b.soft())).orElse(0L)));
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
      throw view(bound.spec(), reply, 3, serverNow)
          .check(bound.scope(), bound.spec(), charge, serverNow)
          .orElseGet(() -> unexplained(bound.scope()));
    }
    Instant at = micros(reply.get(1));
    Map<String, String> headers = new LinkedHashMap<>();
    for (int i = 0; i < ordered.size(); i++) {
      Scope.Bound bound = ordered.get(i);
      InMemoryLimitState.tightest(
          headers, view(bound.spec(), reply, 2 + i * 5, at).headers(bound.spec(), at));
    }
    return new Admitted(headers, true);
  }

  @Override
  public List<BudgetAlert> settle(String request, Charge used, Instant now) {
    String requestId = replica + ":" + request;
    try {
      List<String> crossed =
          run(
              settle,
              new String[] {PREFIX + "res:" + requestId},
              PREFIX,
              requestId,
              Long.toString(used.tokens()),
              Long.toString(used.microUsd()));
      // Each crossed scope as four values: its id, its spend, its budget, its period's end (ms).
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
    } catch (RedisException e) {
      // The lease frees the reservation in time; the spend of this one request is not counted.
      return List.of();
    }
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
    String spent =
        bound.spec().budget().isPresent()
            ? Optional.ofNullable(
                    redis.get(
                        key
                            + ":spent:"
                            + bound.spec().budget().get().period().end(now).toEpochMilli()))
                .orElse("0")
            : "0";
    List<String> values = new ArrayList<>(fields);
    values.add(spent);
    return view(bound.spec(), values, 0, now).usage(bound.scope(), bound.spec(), now);
  }

  private static ScopeCounters view(LimitSpec spec, List<String> values, int from, Instant now) {
    return ScopeCounters.of(
        spec,
        Long.parseLong(values.get(from)) * 1_000,
        Long.parseLong(values.get(from + 1)) * 1_000,
        Integer.parseInt(values.get(from + 2)),
        Long.parseLong(values.get(from + 3)),
        Long.parseLong(values.get(from + 4)),
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
  }
}
