package dev.signalbox.core.gateway;

import com.fasterxml.jackson.databind.JsonNode;
import dev.signalbox.api.ChatRequest;
import dev.signalbox.api.DecisionTrace;
import dev.signalbox.api.DeploymentState;
import dev.signalbox.api.ErrorKind;
import dev.signalbox.api.PoolSnapshot;
import dev.signalbox.api.RoutingListener;
import dev.signalbox.api.SignalboxException;
import dev.signalbox.api.TimeSource;
import dev.signalbox.api.TraceSink;
import dev.signalbox.api.Upstream;
import dev.signalbox.api.Usage;
import dev.signalbox.core.config.ConfigException;
import dev.signalbox.core.config.DeploymentSpec;
import dev.signalbox.core.config.GatewayConfig;
import dev.signalbox.core.config.GatewayKey;
import dev.signalbox.core.config.LimitSettings;
import dev.signalbox.core.config.LimitSpec;
import dev.signalbox.core.config.Provider;
import dev.signalbox.core.config.RouteSpec;
import dev.signalbox.core.database.SharedDatabase;
import dev.signalbox.core.dispatch.Backoff;
import dev.signalbox.core.dispatch.CascadeRunner;
import dev.signalbox.core.dispatch.DispatchResult;
import dev.signalbox.core.dispatch.Dispatcher;
import dev.signalbox.core.dispatch.Exchange;
import dev.signalbox.core.embed.Embeddings;
import dev.signalbox.core.embed.SentenceEncoder;
import dev.signalbox.core.keys.KeyStore;
import dev.signalbox.core.keys.VirtualKey;
import dev.signalbox.core.keys.VirtualKeys;
import dev.signalbox.core.learn.ArtifactSource;
import dev.signalbox.core.learn.BanditLearners;
import dev.signalbox.core.limits.BudgetAlert;
import dev.signalbox.core.limits.InMemoryLimitState;
import dev.signalbox.core.limits.LimitRefusal;
import dev.signalbox.core.limits.LimitState;
import dev.signalbox.core.limits.LimitSubjects;
import dev.signalbox.core.limits.PostgresSpendLedger;
import dev.signalbox.core.limits.RedisLimitState;
import dev.signalbox.core.limits.Scope;
import dev.signalbox.core.limits.ScopeUsage;
import dev.signalbox.core.limits.SpendLedger;
import dev.signalbox.core.policy.Execution;
import dev.signalbox.core.policy.PolicyRegistry;
import dev.signalbox.core.policy.PolicyServices;
import dev.signalbox.core.pool.BreakerListener;
import dev.signalbox.core.pool.DeploymentProbes;
import dev.signalbox.core.pool.PoolState;
import dev.signalbox.core.routing.Decision;
import dev.signalbox.core.routing.RequestSignals;
import dev.signalbox.core.routing.RoutingSignals;
import dev.signalbox.core.session.InMemorySessions;
import dev.signalbox.core.session.SessionStore;
import dev.signalbox.core.session.ToolLoops;
import dev.signalbox.core.text.SignalSources;
import dev.signalbox.core.text.TokenCounter;
import dev.signalbox.core.upstream.UpstreamFactory;
import dev.signalbox.core.wire.Json;
import java.net.http.HttpClient;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.LongSupplier;

/**
 * The gateway without its HTTP server: authenticate, route, dispatch, relay, record. Each request
 * runs on the config version current when it started; {@link #reload} swaps versions atomically, so
 * in-flight requests finish on the old one.
 */
public final class Gateway implements AutoCloseable {
  private final AtomicReference<GatewayRuntime> runtime;
  private final PolicyRegistry policies;
  private final PolicyServices policyServices;
  private final BanditLearners learners;
  private final java.util.function.Function<DeploymentSpec, Upstream> upstreams;
  private final Dispatcher dispatcher;
  private final CascadeRunner cascades;
  private final PoolState pool;
  private final TimeSource time;
  private final LongSupplier seeds;
  private final RoutingListener.Factory listeners;
  private final TraceSink sink;
  private final SessionStore sessions;
  // Tool calls remembered: 100,000 of them for an hour after their answer.
  private final ToolLoops toolLoops;
  private final SignalSources signalSources;
  private final SpendLimits limits;
  private final VirtualKeys virtualKeys;
  private final Settings settings;
  private final AtomicInteger inFlight = new AtomicInteger();

  /**
   * Whether checking and settling limits never waits on another process (no Redis, no ledger), so
   * that a request may be served from an event loop.
   */
  private final boolean limitsNeverBlock;

  /**
   * This gateway's own bits in its request ids: replicas whose seeds run alike (a seeded test, two
   * processes started with one seed) still never name two requests alike, which the spend ledger,
   * keyed by request id across every replica, relies on.
   */
  private final long idNonce = new java.security.SecureRandom().nextLong();

  /**
   * Decisions a request makes before it claims its assignment whatever moved: under a burst on two
   * cores a handful of tries settle it; the bound keeps a request from ever spinning.
   */
  private static final int MAX_DECISION_TRIES = 32;

  private final ReentrantLock drainLock = new ReentrantLock();
  private final AtomicReference<DeploymentProbes> probes;
  private final Condition drained = drainLock.newCondition();
  private volatile boolean draining;

  private Gateway(GatewayConfig config, Settings settings) {
    this.settings = settings;
    this.upstreams = settings.upstreams();
    loadRecordings(config);
    this.policies = settings.policies();
    this.signalSources = settings.signals();
    this.learners = new BanditLearners(settings.background());
    this.virtualKeys = settings.virtualKeys();
    this.policyServices =
        PolicyServices.of(signalSources, ArtifactSource.files(SentenceEncoder.MODEL_ID, learners));
    this.runtime =
        new AtomicReference<>(GatewayRuntime.of(config, policies, policyServices, virtualKeys));
    this.time = settings.time();
    this.seeds = settings.seeds();
    this.listeners = settings.listeners();
    this.sessions = settings.sessions();
    this.toolLoops = new ToolLoops(time::nanoTime, 100_000, 60);
    TraceSink traces = settings.sink();
    LimitSettings limitSettings = config.limits();
    SpendLedger ledger =
        config.database().url().isPresent()
            ? new PostgresSpendLedger(
                SharedDatabase.pool(config.database(), settings.environment(), "ledger", 3))
            : SpendLedger.NONE;
    this.limits =
        new SpendLimits(
            limitSettings
                .redisUrl()
                .<LimitState>map(
                    url ->
                        new RedisLimitState(
                            url,
                            limitSettings.leaseTtl(),
                            settings.time(),
                            limitSettings.failOpen(),
                            ledger))
                .orElseGet(() -> new InMemoryLimitState(limitSettings.leaseTtl())),
            ledger,
            settings.time(),
            settings.budgetAlerts());
    this.limitsNeverBlock =
        limits.state() instanceof InMemoryLimitState && ledger == SpendLedger.NONE;
    this.sink =
        trace -> {
          recordSessionStep(trace);
          limits.settle(trace);
          traces.accept(trace);
        };
    this.pool = settings.pool();
    this.dispatcher =
        new Dispatcher(
            settings.upstreams(),
            settings.time(),
            settings.pool(),
            settings.backoff(),
            settings.requestThreads());
    this.cascades = new CascadeRunner(dispatcher, settings.time(), settings.requestThreads());
    this.probes = new AtomicReference<>(startProbes(config));
  }

  private DeploymentProbes startProbes(GatewayConfig config) {
    return DeploymentProbes.start(
        config, pool, settings.probeThreads(), settings.probeClient(), settings.time());
  }

  /**
   * What the gateway is built from besides its config; see {@link #builder} for each part's
   * default.
   *
   * @param seeds one seed per request; the seed decides weighted draws, simulated behaviour and
   *     jitter
   * @param upstreams the upstream of each deployment
   * @param signals the token counter and the embeddings routes read
   * @param background where bandit learners apply feedback
   * @param requestThreads where a request's parallel legs run (hedges, cascade samples)
   * @param probeThreads the threads that poll deployments' metrics and health URLs
   * @param environment where the default upstreams read provider keys, and the spend ledger its
   *     password
   */
  public record Settings(
      TimeSource time,
      LongSupplier seeds,
      java.util.function.Function<DeploymentSpec, Upstream> upstreams,
      RoutingListener.Factory listeners,
      TraceSink sink,
      PoolState pool,
      Backoff backoff,
      PolicyRegistry policies,
      SignalSources signals,
      SessionStore sessions,
      Executor background,
      ThreadFactory requestThreads,
      ThreadFactory probeThreads,
      java.util.function.Supplier<HttpClient> probeClient,
      VirtualKeys virtualKeys,
      java.util.function.Consumer<BudgetAlert> budgetAlerts,
      java.util.function.Function<String, String> environment) {

    public static Builder builder() {
      return new Builder();
    }
  }

  /** A builder of {@link Settings}; every part left unset takes its default. */
  public static final class Builder {
    private TimeSource time = TimeSource.SYSTEM;
    private LongSupplier seeds = () -> ThreadLocalRandom.current().nextLong();
    private java.util.function.Function<DeploymentSpec, Upstream> upstreams;
    private java.util.function.Function<String, String> environment = System::getenv;
    private RoutingListener.Factory listeners = RoutingListener.Factory.NONE;
    private BreakerListener breakers = BreakerListener.NONE;
    private TraceSink sink = trace -> {};
    private PoolState pool;
    private Backoff backoff = Backoff.DEFAULT;
    private PolicyRegistry policies;
    private SignalSources signals;
    private SessionStore sessions;
    private Executor background;
    private ThreadFactory requestThreads = Thread.ofVirtual().name("signalbox-leg-", 0).factory();
    private ThreadFactory probeThreads = Thread.ofVirtual().name("signalbox-probe-", 0).factory();
    private java.util.function.Supplier<HttpClient> probeClient = DeploymentProbes::client;
    private VirtualKeys virtualKeys;
    private java.util.function.Consumer<BudgetAlert> budgetAlerts = alert -> {};

    private Builder() {}

    /** Told when a scope's spend crosses its budget's soft threshold (besides a log line). */
    public Builder budgetAlerts(java.util.function.Consumer<BudgetAlert> value) {
      this.budgetAlerts = value;
      return this;
    }

    /** The keys made through the admin API; by default kept in memory only. */
    public Builder virtualKeys(VirtualKeys value) {
      this.virtualKeys = value;
      return this;
    }

    /** The clocks and sleeping; the machine's by default. */
    public Builder time(TimeSource value) {
      this.time = value;
      return this;
    }

    public Builder seeds(LongSupplier value) {
      this.seeds = value;
      return this;
    }

    /** The upstream of each deployment; by default real ones built from the deployments' specs. */
    public Builder upstreams(java.util.function.Function<DeploymentSpec, Upstream> value) {
      this.upstreams = value;
      return this;
    }

    /** Where the default upstreams read provider keys; the process environment by default. */
    public Builder environment(java.util.function.Function<String, String> value) {
      this.environment = value;
      return this;
    }

    /** One listener for every request (it keeps no per-request state). */
    public Builder listener(RoutingListener value) {
      this.listeners = RoutingListener.Factory.of(value);
      return this;
    }

    /** Makes each request's listener. */
    public Builder listeners(RoutingListener.Factory value) {
      this.listeners = value;
      return this;
    }

    /** Told of every breaker transition of the default pool. */
    public Builder breakers(BreakerListener value) {
      this.breakers = value;
      return this;
    }

    public Builder sink(TraceSink value) {
      this.sink = value;
      return this;
    }

    public Builder pool(PoolState value) {
      this.pool = value;
      return this;
    }

    public Builder backoff(Backoff value) {
      this.backoff = value;
      return this;
    }

    /** The policies routes may name; those on the class path by default. */
    public Builder policies(PolicyRegistry value) {
      this.policies = value;
      return this;
    }

    /** The token counter and embeddings; by default MiniLM, loaded when a route first reads it. */
    public Builder signals(SignalSources value) {
      this.signals = value;
      return this;
    }

    /** Agent sessions' state; in memory by default. */
    public Builder sessions(SessionStore value) {
      this.sessions = value;
      return this;
    }

    /** Where learners apply feedback; a virtual thread per update by default. */
    public Builder background(Executor value) {
      this.background = value;
      return this;
    }

    public Builder requestThreads(ThreadFactory value) {
      this.requestThreads = value;
      return this;
    }

    public Builder probeThreads(ThreadFactory value) {
      this.probeThreads = value;
      return this;
    }

    public Builder probeClient(HttpClient value) {
      this.probeClient = () -> value;
      return this;
    }

    public Settings build() {
      TokenCounter tokens = signals == null ? new TokenCounter() : signals.tokens();
      return new Settings(
          time,
          seeds,
          upstreams != null ? upstreams : new UpstreamFactory(time, environment, tokens)::upstream,
          listeners,
          sink,
          pool != null ? pool : new PoolState(time, breakers),
          backoff,
          policies != null ? policies : PolicyRegistry.load(),
          signals != null
              ? signals
              : SignalSources.everyEncoder(tokens, Embeddings::servingOnDemand),
          sessions != null ? sessions : new InMemorySessions(time::nanoTime),
          background != null ? background : Thread.ofVirtual().name("signalbox-learner")::start,
          requestThreads,
          probeThreads,
          probeClient,
          virtualKeys != null
              ? virtualKeys
              : new VirtualKeys(KeyStore.MEMORY, time, new java.security.SecureRandom()),
          budgetAlerts,
          environment);
    }
  }

  /**
   * Reads replay deployments' recordings now, so that a bad one stops the start or reload, not a
   * request.
   */
  private void loadRecordings(GatewayConfig config) {
    for (DeploymentSpec deployment : config.deployments().values()) {
      if (deployment.provider() == Provider.REPLAY) {
        try {
          var unused = upstreams.apply(deployment);
        } catch (RuntimeException e) {
          throw new ConfigException(
              "config " + config.hash().substring(0, 12),
              List.of("deployments." + deployment.name() + ".replay-from: " + e.getMessage()));
        }
      }
    }
  }

  public static Gateway create(GatewayConfig config, Settings settings) {
    return new Gateway(config, settings);
  }

  /** The clocks the gateway runs on. */
  public TimeSource time() {
    return time;
  }

  public GatewayConfig config() {
    return runtime.get().config();
  }

  public Set<String> policyNames() {
    return policies.names();
  }

  /**
   * An answered step of a session on a route that follows sessions: its model and cost join the
   * session's state.
   */
  private void recordSessionStep(DecisionTrace trace) {
    if (!trace.outcome().equals("ok")
        || trace.routes().isEmpty()
        || !(trace.signals().get(RoutingSignals.SESSION) instanceof String session)
        || session.isEmpty()) {
      return;
    }
    String route = trace.routes().get(trace.routes().size() - 1);
    runtime
        .get()
        .config()
        .route(route)
        .filter(r -> r.sessions().active())
        .ifPresent(
            spec ->
                trace.attempts().stream()
                    .filter(a -> a.result().equals("ok"))
                    .reduce((a, b) -> b)
                    .ifPresent(
                        answered ->
                            sessions.recordStep(
                                route,
                                session,
                                answered.model(),
                                trace.costUsd(),
                                spec.sessions().idleTimeout())));
  }

  /**
   * Teaches the route that decided a request the feedback it got, if its policy learns online (a
   * bandit's does). Returns false when no such route of the running config decided it.
   */
  public boolean learn(DecisionTrace trace, double score) {
    if (trace.routes().isEmpty()) {
      return false;
    }
    return runtime
        .get()
        .router()
        .policy(trace.route())
        .map(policy -> policy.learn(trace, score))
        .orElse(false);
  }

  /** Swaps in a new config; requests already started finish on the old one. */
  public void reload(GatewayConfig config) {
    loadRecordings(config);
    runtime.set(GatewayRuntime.of(config, policies, policyServices, virtualKeys));
    probes.getAndSet(startProbes(config)).close();
  }

  public Caller authenticate(
      Optional<String> authorization, boolean loopback, Map<String, String> headers) {
    return runtime.get().authenticator().authenticate(authorization, loopback, headers);
  }

  /**
   * Whether {@link #authenticate} never waits on another process: it may for an unknown key when
   * the admin API's keys are kept in a store that replicas share.
   */
  public boolean authenticatesWithoutBlocking() {
    return !virtualKeys.shared();
  }

  /** The keys made through the admin API. */
  public VirtualKeys virtualKeys() {
    return virtualKeys;
  }

  public void authenticateKeyAdmin(Optional<String> authorization, boolean loopback) {
    runtime.get().authenticator().authenticateKeyAdmin(authorization, loopback);
  }

  public void authenticateAdmin(Optional<String> authorization) {
    runtime.get().authenticator().authenticateAdmin(authorization);
  }

  /** Lets a caller read {@code /metrics} and {@code /ready}, or refuses it. */
  public void authenticateScrape(Optional<String> authorization, boolean loopback) {
    runtime.get().authenticator().authenticateScrape(authorization, loopback);
  }

  /** The live state of every configured deployment, idle ones included. */
  public PoolSnapshot pool() {
    PoolSnapshot live = pool.snapshot();
    Map<String, DeploymentState> all = new HashMap<>();
    runtime.get().config().deployments().keySet().forEach(name -> all.put(name, live.state(name)));
    return new PoolSnapshot(all);
  }

  /** The prompt tokens of a request as the router counts them (messages and tools). */
  public long promptTokens(ChatRequest request) {
    return signalSources.tokens().countPrompt(request.messages(), request.tools());
  }

  public boolean ready() {
    return !draining;
  }

  /**
   * {@code req_} and 32 hex digits: the time in milliseconds (12), then 80 random bits. Ids that
   * sort by time keep the trace store's index growing at its end rather than at random pages.
   */
  static String requestId(long epochMillis, long random1, long random2) {
    HexFormat hex = HexFormat.of();
    return "req_"
        + hex.toHexDigits(epochMillis).substring(4)
        + hex.toHexDigits(random1)
        + hex.toHexDigits((short) random2);
  }

  /**
   * The state of every scope a caller counts against (and of one end user's, when the config limits
   * each user and {@code user} is given), as {@code GET /v1/usage} shows it.
   */
  public List<ScopeUsage> usage(Caller caller, Optional<String> user) {
    LimitSettings settings = runtime.get().config().limits();
    List<Scope.Bound> bounds = new ArrayList<>(caller.bounds());
    if (user.isPresent() && settings.perUser().isPresent()) {
      bounds.add(new Scope(Scope.Kind.USER, user.get()).bound(settings.perUser().get()));
    }
    Instant now = time.now();
    return bounds.stream().map(bound -> limits.state().usage(bound, now)).toList();
  }

  /**
   * Every limit scope the config and the keys define, with what it has used: tenants, teams, and
   * the keys (from the file or the admin API, revoked ones left out) that carry limits of their
   * own.
   */
  public List<ScopeUsage> scopes() {
    GatewayConfig config = runtime.get().config();
    List<Scope.Bound> bounds = new ArrayList<>();
    config
        .limits()
        .tenants()
        .forEach((name, spec) -> bounds.add(new Scope(Scope.Kind.TENANT, name).bound(spec)));
    config
        .limits()
        .teams()
        .forEach((name, spec) -> bounds.add(new Scope(Scope.Kind.TEAM, name).bound(spec)));
    List<GatewayKey> keys = new ArrayList<>(config.auth().keys());
    virtualKeys.list().stream()
        .filter(key -> key.revoked().isEmpty())
        .map(VirtualKey::asGatewayKey)
        .forEach(keys::add);
    for (GatewayKey key : keys) {
      key.limits()
          .filter(LimitSpec::limitsAnything)
          .ifPresent(spec -> bounds.add(new Scope(Scope.Kind.KEY, key.name()).bound(spec)));
    }
    Instant now = time.now();
    return bounds.stream().map(bound -> limits.state().usage(bound, now)).toList();
  }

  /** Routes, dispatches and, for non-streamed answers, records one request. */
  public Handled handle(ChatRequest request, Caller caller) throws InterruptedException {
    return handle(request, caller, Ingress.CHAT_COMPLETIONS);
  }

  /** As {@link #handle(ChatRequest, Caller)}, for a request translated from another API. */
  public Handled handle(ChatRequest request, Caller caller, Ingress ingress)
      throws InterruptedException {
    Started started = start(request, caller, ingress);
    Handled handled = null;
    try {
      handled = routeAndDispatch(started);
      return handled;
    } catch (RuntimeException | InterruptedException e) {
      failed(started, e);
      throw e;
    } finally {
      ended(handled);
    }
  }

  /**
   * As {@link #handle(ChatRequest, Caller, Ingress)}, begun on the caller's thread, an event loop
   * that must not block. What never blocks runs there: the checks, a decision that reads no
   * embedding, limits kept in memory, and a first attempt to an upstream that {@link
   * Upstream#sendsWithoutBlocking sends without blocking}, whose answer then completes the stage on
   * the upstream's I/O thread. The request moves to a thread of {@code blocking} at its first step
   * that may block (an embedding, Redis, a fallback's backoff, an upstream that streams by
   * blocking). A stream sent without blocking completes the stage on the upstream's I/O thread once
   * its first chunk has come, ready to be {@linkplain StreamRelay#relayWithoutBlocking relayed}
   * there.
   *
   * @throws SignalboxException at once, as {@link #handle} does, for a request refused before it is
   *     traced (a forbidden route, a full or draining gateway)
   */
  public CompletionStage<Handled> handleWithoutBlocking(
      ChatRequest request, Caller caller, Ingress ingress, Executor blocking) {
    Started started = start(request, caller, ingress);
    CompletableFuture<Handled> handled;
    try {
      handled =
          limitsNeverBlock
              ? withoutBlocking(started, blocking)
              : onThread(blocking, () -> routeAndDispatch(started));
    } catch (RuntimeException e) {
      failed(started, e);
      requestEnded();
      throw e;
    }
    return handled.whenComplete(
        (answer, error) -> {
          if (error != null) {
            failed(started, error instanceof CompletionException c ? c.getCause() : error);
          }
          ended(answer);
        });
  }

  /** A request admitted to the gateway and counted in flight: its config, exchange and seed. */
  private record Started(GatewayRuntime current, Exchange exchange, long seed, Caller caller) {}

  private Started start(ChatRequest request, Caller caller, Ingress ingress) {
    GatewayRuntime current = runtime.get();
    long seed = seeds.getAsLong();
    String id = requestId(time.now().toEpochMilli(), seed ^ idNonce, seeds.getAsLong());
    if (current.router().knows(request.model()) && !caller.allows(request.model())) {
      throw new SignalboxException(
          ErrorKind.FORBIDDEN,
          "Your key may not use '"
              + request.model()
              + "' (allowed: "
              + String.join(", ", new TreeSet<>(caller.allowedRoutes()))
              + ").",
          "model",
          "route_not_allowed");
    }
    int underWay = inFlight.incrementAndGet();
    if (draining) {
      requestEnded();
      throw new SignalboxException(
          ErrorKind.NO_ELIGIBLE_MODEL, "The gateway is shutting down.", null, "shutting_down");
    }
    int limit = current.config().server().maxInFlight();
    if (underWay > limit) {
      requestEnded();
      throw new SignalboxException(
          ErrorKind.OVERLOADED,
          "The gateway is serving its limit of "
              + limit
              + " requests at once (server.max-in-flight); retry shortly.",
          null,
          "overloaded");
    }
    GatewayConfig config = current.config();
    RequestSignals signals =
        new RequestSignals(
                request,
                caller.headers(),
                caller.tenant(),
                RouteSpec.DEFAULT_MAX_TOKENS,
                signalSources)
            .withSessions(sessions)
            .withToolLoops(toolLoops);
    Exchange exchange =
        new Exchange(
            id,
            time,
            caller.tenant(),
            caller.key(),
            caller.team(),
            signals,
            config.hash(),
            config.traces().recordPrompts(),
            config.traces().recordAnswers(),
            listeners.create(id, request, caller.headers()),
            sink);
    if (ingress != Ingress.CHAT_COMPLETIONS) {
      exchange.flag(ingress.flag());
    }
    return new Started(current, exchange, seed, caller);
  }

  /** Whatever failed, the request is still traced once. */
  private static void failed(Started started, Throwable e) {
    started
        .exchange()
        .finish(
            "internal_error",
            Usage.ZERO,
            null,
            e.getClass().getSimpleName() + ": " + e.getMessage(),
            "");
  }

  /** A stream's request ends when its relay does; any other when it is handled. */
  private void ended(Handled handled) {
    if (!(handled instanceof Handled.Streaming)) {
      requestEnded();
    }
  }

  private Handled routeAndDispatch(Started started) throws InterruptedException {
    return switch (decide(started)) {
      case Decided.Refused refused -> refused.handled();
      case Decided.Cleared cleared -> handled(started, cleared, dispatch(started, cleared));
    };
  }

  /** The decision taken on the caller's thread when it reads no embedding, else on one's own. */
  private CompletableFuture<Handled> withoutBlocking(Started started, Executor blocking) {
    return switch (decideWithoutBlocking(started).orElse(null)) {
      case null -> onThread(blocking, () -> routeAndDispatch(started));
      case Decided.Refused refused -> CompletableFuture.completedFuture(refused.handled());
      case Decided.Cleared cleared -> dispatchWithoutBlocking(started, cleared, blocking);
    };
  }

  /**
   * The decision, unless it reads a signal that may block; either way the signals may block again
   * when this returns, before the request can be handed to a thread that decides it there.
   */
  private Optional<Decided> decideWithoutBlocking(Started started) {
    RequestSignals signals = started.exchange().signals();
    signals.mayBlock(false);
    try {
      return Optional.of(decide(started));
    } catch (RequestSignals.WouldBlock e) {
      return Optional.empty();
    } finally {
      signals.mayBlock(true);
    }
  }

  /**
   * The first attempt sent without blocking when its upstream can; its failure, a fallback's turn,
   * walks the rest of the plan on a thread of {@code blocking}.
   */
  private CompletableFuture<Handled> dispatchWithoutBlocking(
      Started started, Decided.Cleared cleared, Executor blocking) {
    Decision.Routed routed = cleared.routed();
    Optional<CompletionStage<Dispatcher.FirstAttempt>> first =
        routed.execution() instanceof Execution.Plan && cleared.reserved().isPresent()
            ? dispatcher.firstAttemptWithoutBlocking(
                routed.plan(),
                routed.route(),
                started.seed(),
                started.exchange(),
                cleared.reserved().get())
            : Optional.empty();
    if (first.isEmpty()) {
      return onThread(blocking, () -> handled(started, cleared, dispatch(started, cleared)));
    }
    return first
        .get()
        .toCompletableFuture()
        .thenCompose(
            attempt ->
                attempt.answer().isPresent()
                    ? CompletableFuture.completedFuture(
                        handled(started, cleared, attempt.answer().get()))
                    : onThread(
                        blocking,
                        () ->
                            handled(
                                started,
                                cleared,
                                dispatcher.dispatchAfter(
                                    attempt,
                                    routed.plan(),
                                    routed.route(),
                                    started.seed(),
                                    started.exchange(),
                                    cleared.reserved().get()))));
  }

  /** Work that may block. */
  @FunctionalInterface
  private interface Blocking<T> {
    T run() throws InterruptedException;
  }

  private static <T> CompletableFuture<T> onThread(Executor blocking, Blocking<T> work) {
    CompletableFuture<T> result = new CompletableFuture<>();
    blocking.execute(
        () -> {
          try {
            result.complete(work.run());
          } catch (InterruptedException | RuntimeException e) {
            result.completeExceptionally(e);
          } catch (Error e) {
            // An error in one request's work (out of memory, say) answers and traces that request
            // as an internal error instead of leaving its client waiting, and is logged as an
            // uncaught one would be.
            result.completeExceptionally(e);
            Thread thread = Thread.currentThread();
            thread.getUncaughtExceptionHandler().uncaughtException(thread, e);
          }
        });
    return result;
  }

  /** A routed request cleared to go, or its refusal (already traced). */
  private sealed interface Decided {
    record Refused(Handled handled) implements Decided {}

    record Cleared(
        Decision.Routed routed,
        Optional<Dispatcher.Reservation> reserved,
        Map<String, String> limitHeaders,
        String route)
        implements Decided {}
  }

  /** Decides, then checks the caller's limits. */
  private Decided decide(Started started) {
    GatewayRuntime current = started.current();
    Exchange exchange = started.exchange();
    Caller caller = started.caller();
    Decision decision;
    Optional<Dispatcher.Reservation> reserved = Optional.empty();
    // Optimistic: decide on a snapshot, then claim the assignment only if no attempt started
    // meanwhile, else decide again on a fresh one, so a burst still sees each assignment and no
    // request waits on another's decision. The signals (tokens, an embedding) are computed by the
    // first try and kept, so a retry costs only the policy.
    for (int tries = 1; ; tries++) {
      long seen = pool.assignments();
      decision =
          current
              .router()
              .decide(exchange.signals(), started.seed(), pool.snapshot(), caller::allows);
      if (!(decision instanceof Decision.Routed routed)) {
        break;
      }
      if (pool.claim(seen) || tries >= MAX_DECISION_TRIES && pool.claim(pool.assignments())) {
        reserved = dispatcher.reserveClaimed(routed.plan().get(0), exchange);
        break;
      }
    }
    exchange.decided(decision.record());
    List<String> routes = decision.record().routes();
    String route = routes.isEmpty() ? "" : routes.get(routes.size() - 1);
    String id = exchange.id();
    if (decision instanceof Decision.Rejected rejected) {
      exchange.finish(
          outcomeOf(rejected.error()), Usage.ZERO, null, rejected.error().getMessage(), "");
      return new Decided.Refused(
          new Handled.Rejected(
              rejected.error(), new ResponseInfo(id, route, "", "", 0, OptionalDouble.empty())));
    }
    Decision.Routed routed = (Decision.Routed) decision;
    Map<String, String> limitHeaders = Map.of();
    LimitSubjects subjects = SpendLimits.subjects(caller, exchange.request());
    subjects.flag().ifPresent(exchange::flag);
    List<Scope.Bound> bounds = SpendLimits.bounds(caller, subjects, current.config().limits());
    if (!bounds.isEmpty()) {
      try {
        limitHeaders = limits.admit(exchange, bounds, routed.plan(), current.config().limits());
      } catch (LimitRefusal refusal) {
        reserved.ifPresent(r -> r.lease().abandoned());
        exchange.finish(outcomeOf(refusal), Usage.ZERO, null, refusal.getMessage(), "");
        return new Decided.Refused(
            new Handled.Rejected(
                refusal,
                new ResponseInfo(id, route, "", "", 0, OptionalDouble.empty(), refusal.headers())));
      }
    }
    return new Decided.Cleared(routed, reserved, limitHeaders, route);
  }

  private DispatchResult dispatch(Started started, Decided.Cleared cleared)
      throws InterruptedException {
    Decision.Routed routed = cleared.routed();
    return switch (routed.execution()) {
      case Execution.Cascade cascade ->
          cascades.run(
              cascade.spec(),
              routed.plan(),
              routed.route(),
              started.seed(),
              started.exchange(),
              cleared.reserved());
      case Execution.Plan plan ->
          dispatcher.dispatch(
              routed.plan(),
              routed.route(),
              started.seed(),
              started.exchange(),
              cleared.reserved());
    };
  }

  /** What a dispatch's result gives the client; whole answers are traced here. */
  private Handled handled(Started started, Decided.Cleared cleared, DispatchResult result) {
    Exchange exchange = started.exchange();
    Decision.Routed routed = cleared.routed();
    String id = exchange.id();
    String route = cleared.route();
    Map<String, String> limitHeaders = cleared.limitHeaders();
    long seed = started.seed();
    int attempts = exchange.attempts().size();
    return switch (result) {
      case DispatchResult.Failed failed -> {
        exchange.finish(failed.outcome(), Usage.ZERO, null, failed.error().getMessage(), "");
        yield new Handled.Rejected(
            failed.error(),
            new ResponseInfo(id, route, "", "", attempts, OptionalDouble.empty(), limitHeaders));
      }
      case DispatchResult.Answered answered -> {
        if (exchange.request().nativeBody().isPresent()) {
          exchange.flag(
              answered.reply().nativeBody().isPresent()
                  ? Ingress.PASSED_THROUGH
                  : Ingress.TRANSLATED);
        }
        exchange.finishReason(answered.reply().finishReason());
        Usage usage = exchange.counted(answered.reply().usage());
        Optional<byte[]> asSent = answered.reply().asSent();
        if (usage.estimated() && !answered.reply().body().has("usage")) {
          // The client sees the usage the trace records, marked as counted by the gateway.
          answered.reply().body().set("usage", Json.usage(usage));
          asSent = Optional.empty();
        }
        var trace =
            exchange.finish(
                "ok",
                usage,
                answered.attempt().model(),
                "",
                answered
                    .reply()
                    .body()
                    .path("choices")
                    .path(0)
                    .path("message")
                    .path("content")
                    .asText(""));
        toolLoops.started(
            toolCallIds(answered.reply().body()),
            answered.attempt().model().name(),
            answered.attempt().deployment().name());
        yield new Handled.Completed(
            answered.reply().body(),
            asSent,
            answered.reply().nativeBody(),
            new ResponseInfo(
                id,
                route,
                answered.attempt().model().name(),
                answered.attempt().deployment().name(),
                attempts,
                OptionalDouble.of(trace.costUsd()),
                limitHeaders));
      }
      case DispatchResult.Committed committed -> {
        StreamRelay.Continuation continuation =
            routed.route().continueStreams()
                ? (broken, partial) ->
                    dispatcher.continueStream(
                        routed.plan(), broken, partial, routed.route(), seed, exchange)
                : StreamRelay.Continuation.NONE;
        StreamRelay relay =
            new StreamRelay(
                exchange,
                committed.attempt(),
                committed.first(),
                committed.rest(),
                continuation,
                signalSources.tokens(),
                toolLoops,
                this::requestEnded,
                limitsNeverBlock);
        yield new Handled.Streaming(
            relay,
            new ResponseInfo(
                id,
                route,
                committed.attempt().model().name(),
                committed.attempt().deployment().name(),
                attempts + (exchange.streamOpen() ? 1 : 0),
                OptionalDouble.empty(),
                limitHeaders));
      }
    };
  }

  private static List<String> toolCallIds(JsonNode completion) {
    List<String> ids = new ArrayList<>();
    completion
        .path("choices")
        .path(0)
        .path("message")
        .path("tool_calls")
        .forEach(call -> ids.add(call.path("id").asText("")));
    return ids;
  }

  private static String outcomeOf(SignalboxException error) {
    String code = error.code().orElse("");
    if (code.equals("no_eligible_model") || code.equals("context_length_exceeded")) {
      return "no_eligible_model";
    }
    return switch (error.kind()) {
      case NOT_FOUND, INVALID_REQUEST, FORBIDDEN -> "client_error";
      case NO_ELIGIBLE_MODEL -> "no_eligible_model";
      case UPSTREAM_TIMEOUT -> "upstream_timeout";
      case RATE_LIMITED -> "rate_limited";
      case BUDGET_EXHAUSTED -> "budget_exhausted";
      default -> "upstream_failed";
    };
  }

  private void requestEnded() {
    if (inFlight.decrementAndGet() == 0 && draining) {
      drainLock.lock();
      try {
        drained.signalAll();
      } finally {
        drainLock.unlock();
      }
    }
  }

  public int inFlight() {
    return inFlight.get();
  }

  /** Refuses new requests and waits for those under way (streams included) to end. */
  public boolean drain(Duration timeout) throws InterruptedException {
    draining = true;
    long deadline = System.nanoTime() + timeout.toNanos();
    drainLock.lock();
    try {
      while (inFlight.get() > 0) {
        long left = deadline - System.nanoTime();
        if (left <= 0) {
          return false;
        }
        drained.awaitNanos(left);
      }
      return true;
    } finally {
      drainLock.unlock();
    }
  }

  @Override
  public void close() {
    draining = true;
    probes.get().close();
    learners.close();
    if (limits.state() instanceof AutoCloseable shared) {
      try {
        shared.close();
      } catch (Exception e) {
        // Closing: a store that fails to close loses nothing not already written.
      }
    }
    limits.ledger().close(); // after the last settlement: it writes what is queued
  }
}
