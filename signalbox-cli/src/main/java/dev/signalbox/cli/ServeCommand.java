package dev.signalbox.cli;

import dev.signalbox.api.RoutingListener;
import dev.signalbox.api.TimeSource;
import dev.signalbox.api.TraceSink;
import dev.signalbox.core.config.ConfigException;
import dev.signalbox.core.config.ConfigReader;
import dev.signalbox.core.config.GatewayConfig;
import dev.signalbox.core.config.ResponsesSettings;
import dev.signalbox.core.database.SharedDatabase;
import dev.signalbox.core.gateway.AccessLog;
import dev.signalbox.core.gateway.BudgetWebhook;
import dev.signalbox.core.gateway.Gateway;
import dev.signalbox.core.gateway.GatewayMetrics;
import dev.signalbox.core.gateway.LearningFeedback;
import dev.signalbox.core.gateway.Listeners;
import dev.signalbox.core.keys.KeyStore;
import dev.signalbox.core.keys.PostgresKeyStore;
import dev.signalbox.core.keys.SqliteKeyStore;
import dev.signalbox.core.keys.VirtualKeys;
import dev.signalbox.core.limits.BudgetAlert;
import dev.signalbox.core.net.IoLoops;
import dev.signalbox.core.pool.BreakerHistory;
import dev.signalbox.core.responses.ResponseStore;
import dev.signalbox.core.responses.SqlResponseStore;
import dev.signalbox.core.telemetry.Telemetry;
import dev.signalbox.core.trace.FeedbackStore;
import dev.signalbox.core.trace.PostgresTraceStore;
import dev.signalbox.core.trace.SqliteTraceStore;
import dev.signalbox.core.trace.TraceExplorer;
import dev.signalbox.core.trace.TraceRecorder;
import dev.signalbox.core.trace.TraceStore;
import dev.signalbox.server.AdminSources;
import dev.signalbox.server.GatewayServer;
import dev.signalbox.server.ReplayService;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import java.util.logging.Logger;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** Runs the gateway until SIGINT or SIGTERM; SIGHUP reloads the config. */
@Command(name = "serve", mixinStandardHelpOptions = true, description = "Run the gateway.")
final class ServeCommand implements Callable<Integer> {
  private static final Logger LOG = Logger.getLogger(ServeCommand.class.getName());

  @Option(names = "--config", required = true, paramLabel = "FILE", description = "the YAML config")
  Path configFile;

  @Option(
      names = "--warm-up",
      paramLabel = "N",
      description =
          "before listening, send N requests of every kind through two throwaway gateways on"
              + " simulated models, so that the request path is compiled when the first client"
              + " comes (default 0: none; a later start, faster first requests)")
  int warmUp;

  @Option(
      names = "--port",
      paramLabel = "N",
      description = "listen on this port instead of the config's (0: any free port)")
  Integer port;

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Override
  public Integer call() throws Exception {
    return serve(spec.commandLine().getOut(), spec.commandLine().getErr());
  }

  Integer serve(PrintWriter out, PrintWriter err) throws Exception {
    ConfigReader reader = Configs.reader();
    GatewayConfig config;
    try {
      config = reader.read(configFile);
    } catch (ConfigException e) {
      err.println("refusing to serve an invalid config:");
      err.println(e.getMessage());
      return 2;
    }
    int listenPort = port == null ? config.server().port() : port;
    Optional<String> busy = busy(config.server().host(), listenPort);
    if (busy.isPresent()) {
      // Said before the gateway is built: a second or two sooner, and nothing to stop.
      err.println("signalbox: " + busy.get());
      return 3;
    }
    if (warmUp < 0) {
      err.println("signalbox: --warm-up must be 0 or more (requests per warm-up gateway)");
      return 2;
    }
    if (warmUp > 0) {
      warmUp(out, err);
    }
    Running running;
    try {
      running = start(config, reader, configFile, listenPort);
    } catch (UncheckedIOException e) {
      err.println("signalbox: " + e.getCause().getMessage());
      return 3;
    }
    // Signals are handled before the listening line, so whoever waits for it may send them at once.
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  running.stop(err);
                  stopped.countDown();
                },
                "signalbox-shutdown"));
    onHangup(running);
    out.printf(
        "Signalbox listening on http://%s:%d (%d routes, %d models, %d deployments; config %s;"
            + " traces %s; io %s)%n",
        config.server().host(),
        running.server.port(),
        config.routes().size(),
        config.models().size(),
        config.deployments().size(),
        config.hash().substring(0, 12),
        config.traces().enabled() ? config.traces().path() : "off",
        IoLoops.transport().name());
    out.flush();
    stopped.await();
    return 0;
  }

  /** Why the address cannot be listened on, if it cannot (another process holds it, usually). */
  private static Optional<String> busy(String host, int port) {
    if (port == 0) {
      return Optional.empty();
    }
    try (ServerSocket probe = new ServerSocket()) {
      probe.setReuseAddress(true);
      probe.bind(new InetSocketAddress(host, port));
      return Optional.empty();
    } catch (IOException e) {
      return Optional.of("cannot listen on " + host + ":" + port + ": " + e.getMessage());
    }
  }

  /** A started gateway with what must be stopped with it. */
  record Running(
      GatewayServer server,
      Gateway gateway,
      Optional<TraceRecorder> traces,
      Optional<AccessLog> accessLog,
      Optional<Telemetry> telemetry,
      AdminSources admin,
      ResponseStore responses,
      AutoCloseable keys,
      Path configFile,
      ConfigReader reader) {
    GatewayConfig reload() {
      GatewayConfig fresh = reader.read(configFile);
      gateway.reload(fresh);
      traces.ifPresent(t -> t.storeConfig(fresh.hash(), fresh.text()));
      LOG.info("reloaded " + configFile + " (config " + fresh.hash().substring(0, 12) + ")");
      return fresh;
    }

    void stop() {
      stop(new PrintWriter(Writer.nullWriter()));
    }

    /** Drains and stops, saying so on {@code log} (not JUL: its handlers close at shutdown). */
    void stop(PrintWriter log) {
      long started = System.nanoTime();
      int underWay = gateway.inFlight();
      log.println(
          "signalbox stopping: no new requests; draining "
              + underWay
              + " under way (at most 30 s)");
      log.flush();
      try {
        server.stop(Duration.ofSeconds(30));
        if (traces.isPresent()) {
          traces.get().close(Duration.ofSeconds(10));
        }
        accessLog.ifPresent(AccessLog::close);
        telemetry.ifPresent(Telemetry::close);
        admin.traces().ifPresent(TraceExplorer::close);
        responses.close();
        closeQuietly(keys);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      log.println(
          "signalbox stopped: "
              + (underWay - gateway.inFlight())
              + " of "
              + underWay
              + " requests drained"
              + (traces.isPresent() ? ", traces flushed" : "")
              + ", in "
              + Duration.ofNanos(System.nanoTime() - started).toMillis()
              + " ms");
      log.flush();
    }
  }

  /** The warm-up; one that fails is reported and the gateway starts without it. */
  private void warmUp(PrintWriter out, PrintWriter err) {
    long started = System.nanoTime();
    try {
      WarmUp.bundled(warmUp);
    } catch (Exception e) {
      err.println("signalbox: the warm-up failed (" + e + "); starting without it");
      return;
    }
    // What the warm-up left behind is garbage: collected now, not resident until the next full
    // collection.
    System.gc();
    out.printf(
        "Signalbox warmed up: %d requests through two simulated gateways in %d ms%n",
        2 * warmUp, (System.nanoTime() - started) / 1_000_000);
  }

  static Running start(GatewayConfig config, ConfigReader reader, Path configFile, int port) {
    GatewayMetrics metrics = new GatewayMetrics();
    Optional<TraceRecorder> traces = Optional.empty();
    if (config.traces().enabled()) {
      TraceRecorder recorder =
          new TraceRecorder(traceStore(config), config.traces().queueCapacity());
      recorder.storeConfig(config.hash(), config.text());
      metrics.watch(recorder);
      traces = Optional.of(recorder);
    }
    List<RoutingListener.Factory> listeners =
        new ArrayList<>(List.of(RoutingListener.Factory.of(metrics)));
    Optional<AccessLog> accessLog =
        config.server().accessLog()
            ? Optional.of(new AccessLog(System.out, TimeSource.SYSTEM))
            : Optional.empty();
    accessLog.ifPresent(log -> listeners.add(RoutingListener.Factory.of(log)));
    // Spans name each attempt's deployment as the running (possibly reloaded) config has it.
    AtomicReference<Gateway> started = new AtomicReference<>();
    Optional<Telemetry> telemetry =
        Telemetry.start(
            config.telemetry(),
            System::getenv,
            name ->
                Optional.ofNullable(started.get()).map(g -> g.config().deployments().get(name)));
    telemetry.ifPresent(listeners::add);
    TraceSink sink = traces.<TraceSink>map(t -> t).orElse(trace -> {});
    boolean shared = config.database().url().isPresent();
    KeyStore keyStore =
        shared
            ? new PostgresKeyStore(
                SharedDatabase.pool(config.database(), System::getenv, "keys", 2))
            : new SqliteKeyStore(config.auth().keyStore());
    VirtualKeys virtualKeys = new VirtualKeys(keyStore, TimeSource.SYSTEM, new SecureRandom());
    AutoCloseable keys = keys(keyStore, virtualKeys);
    AdminSources admin =
        new AdminSources(
            traces.map(t -> explorer(config)),
            new BreakerHistory(TimeSource.SYSTEM, 200),
            traces
                .<ReplayService>map(t -> new DashboardReplay(t.store()))
                .orElse(ReplayService.UNAVAILABLE));
    Gateway gateway =
        Gateway.create(
            config,
            Gateway.Settings.builder()
                .virtualKeys(virtualKeys)
                .budgetAlerts(budgetAlerts(config, metrics))
                .time(TimeSource.SYSTEM)
                .seeds(() -> ThreadLocalRandom.current().nextLong())
                .environment(System::getenv)
                .policies(Configs.policies())
                .listeners(new Listeners(listeners))
                .breakers(metrics.andThen(admin.breakers()))
                .sink(sink)
                .build());
    started.set(gateway);
    ResponseStore responses = responseStore(config);
    Running[] holder = new Running[1];
    GatewayServer server;
    try {
      server =
          GatewayServer.start(
              gateway,
              metrics,
              () -> holder[0].reload(),
              accessLog,
              traces
                  .<FeedbackStore>map(t -> new LearningFeedback(t, gateway::learn))
                  .orElse(FeedbackStore.DISABLED),
              responses,
              admin,
              config.server().host(),
              port);
    } catch (RuntimeException e) {
      gateway.close();
      traces.ifPresent(TraceRecorder::close);
      accessLog.ifPresent(AccessLog::close);
      telemetry.ifPresent(Telemetry::close);
      admin.traces().ifPresent(TraceExplorer::close);
      responses.close();
      closeQuietly(keys);
      throw e;
    }
    holder[0] =
        new Running(
            server,
            gateway,
            traces,
            accessLog,
            telemetry,
            admin,
            responses,
            keys,
            configFile,
            reader);
    return holder[0];
  }

  private static ResponseStore responseStore(GatewayConfig config) {
    ResponsesSettings settings = config.responses();
    if (!settings.store()) {
      return ResponseStore.NONE;
    }
    if (config.database().url().isPresent()) {
      return SqlResponseStore.shared(
          SharedDatabase.pool(config.database(), System::getenv, "responses", 2),
          TimeSource.SYSTEM,
          settings.retention(),
          settings.maxStored());
    }
    return SqlResponseStore.sqlite(
        settings.path(), TimeSource.SYSTEM, settings.retention(), settings.maxStored());
  }

  /** The dashboard's reader of the store {@link #traceStore} opened. */
  private static TraceExplorer explorer(GatewayConfig config) {
    if (config.database().url().isPresent()) {
      return TraceExplorer.shared(
          SharedDatabase.pool(config.database(), System::getenv, "dashboard", 2));
    }
    return TraceExplorer.open(config.traces().path());
  }

  private static TraceStore traceStore(GatewayConfig config) {
    if (config.database().url().isPresent()) {
      return new PostgresTraceStore(
          SharedDatabase.pool(config.database(), System::getenv, "traces", 3));
    }
    return SqliteTraceStore.open(config.traces().path());
  }

  /**
   * The key store, closed after the refresh that reads other replicas' changes every second (when
   * it has any) stops.
   */
  private static AutoCloseable keys(KeyStore store, VirtualKeys keys) {
    if (!store.shared()) {
      return store;
    }
    ScheduledExecutorService refresh =
        Executors.newSingleThreadScheduledExecutor(
            r -> Thread.ofPlatform().name("signalbox-keys").daemon().unstarted(r));
    refresh.scheduleWithFixedDelay(keys::refresh, 1, 1, TimeUnit.SECONDS);
    return () -> {
      refresh.shutdownNow();
      store.close();
    };
  }

  private static void closeQuietly(AutoCloseable closeable) {
    try {
      closeable.close();
    } catch (Exception e) {
      LOG.warning("while closing: " + e.getMessage());
    }
  }

  /** Budget alerts counted in the metrics, and posted to the webhook when one is configured. */
  private static Consumer<BudgetAlert> budgetAlerts(GatewayConfig config, GatewayMetrics metrics) {
    Optional<BudgetWebhook> webhook = config.limits().alertWebhook().map(BudgetWebhook::new);
    return alert -> {
      metrics.budgetAlert(alert);
      webhook.ifPresent(hook -> hook.accept(alert));
    };
  }

  @SuppressWarnings("restriction")
  private static void onHangup(Running running) {
    try {
      sun.misc.SignalHandler previous =
          sun.misc.Signal.handle(
              new sun.misc.Signal("HUP"),
              signal -> {
                try {
                  running.reload();
                } catch (ConfigException e) {
                  LOG.warning(
                      "SIGHUP: kept the running config; the file is invalid:\n" + e.getMessage());
                }
              });
      if (previous == sun.misc.SignalHandler.SIG_IGN) {
        // The JVM keeps a signal ignored at its start ignored: nohup would make SIGHUP do nothing.
        LOG.warning(
            "SIGHUP is ignored in this process (started under nohup?), so it will not reload the"
                + " config; use POST /admin/reload, or start without nohup");
      }
    } catch (IllegalArgumentException unsupported) {
      LOG.info("SIGHUP is not available here; use POST /admin/reload");
    }
  }
}
