package dev.signalbox.testing;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A real PostgreSQL server on a free loopback port for one test class: a fresh cluster (trust
 * authentication, superuser {@code postgres}, no fsync), its output kept in a log file for the
 * report, ready once {@code pg_isready} says so, stopped by its postmaster's PID. PostgreSQL
 * refuses to run as root, so as root the cluster belongs to the {@code postgres} user and runs
 * under {@code runuser}. Fails (rather than skips) when PostgreSQL is not installed: {@code
 * .ci/run} installs it.
 */
public final class PostgresServer implements AutoCloseable {
  private final Path bin;
  private final Path base;
  private int databases;
  private final Path data;
  private final Path log;
  private final int port;
  private final Process process;

  public PostgresServer() throws IOException, InterruptedException {
    bin = binaries();
    base = Files.createTempDirectory("signalbox-pg");
    Files.setPosixFilePermissions(base, PosixFilePermissions.fromString("rwxrwxrwx"));
    data = base.resolve("data");
    log = base.resolve("postgres.log");
    try (ServerSocket free = new ServerSocket(0)) {
      port = free.getLocalPort();
    }
    run(
        Duration.ofMinutes(2),
        bin.resolve("initdb").toString(),
        "-D",
        data.toString(),
        "-U",
        "postgres",
        "-A",
        "trust",
        "--no-sync");
    process =
        new ProcessBuilder(
                asOwner(
                    bin.resolve("postgres").toString(),
                    "-D",
                    data.toString(),
                    "-p",
                    Integer.toString(port),
                    "-k",
                    base.toString(),
                    "-c",
                    "listen_addresses=127.0.0.1",
                    "-c",
                    "fsync=off",
                    "-c",
                    "max_connections=50"))
            .redirectErrorStream(true)
            .redirectOutput(log.toFile())
            .start();
    long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    while (!ready(bin)) {
      if (!process.isAlive() || System.nanoTime() > deadline) {
        close();
        throw new IOException(
            "postgres did not start on port " + port + ":\n" + Files.readString(log));
      }
      Thread.sleep(50);
    }
  }

  /**
   * A new empty database on this server, for a test that needs its own tables: its JDBC URL, as
   * {@link #jdbcUrl()} gives the {@code postgres} database's.
   */
  public synchronized String newDatabase() throws IOException, InterruptedException {
    String name = "test_" + ++databases;
    run(
        Duration.ofSeconds(30),
        bin.resolve("createdb").toString(),
        "-h",
        "127.0.0.1",
        "-p",
        Integer.toString(port),
        "-U",
        "postgres",
        name);
    return jdbcUrl().replace("/postgres?", "/" + name + "?");
  }

  /** A JDBC URL of the {@code postgres} database as its superuser. */
  public String jdbcUrl() {
    return "jdbc:postgresql://127.0.0.1:" + port + "/postgres?user=postgres";
  }

  public int port() {
    return port;
  }

  private static Path binaries() throws IOException {
    Path lib = Path.of("/usr/lib/postgresql");
    Optional<Path> newest = Optional.empty();
    if (Files.isDirectory(lib)) {
      try (Stream<Path> versions = Files.list(lib)) {
        newest =
            versions
                .map(v -> v.resolve("bin"))
                .filter(b -> Files.isExecutable(b.resolve("postgres")))
                .max(
                    Comparator.comparing(
                        b ->
                            Integer.parseInt(
                                b.getParent().getFileName().toString().replaceAll("\\D", "0"))));
      }
    }
    return newest.orElseThrow(
        () ->
            new IOException(
                "PostgreSQL is needed by this test (apt-get install -y postgresql): no"
                    + " /usr/lib/postgresql/*/bin/postgres"));
  }

  private static boolean root() {
    return "root".equals(System.getProperty("user.name"));
  }

  private static List<String> asOwner(String... command) {
    List<String> line = new ArrayList<>();
    if (root()) {
      line.addAll(List.of("runuser", "-u", "postgres", "--"));
    }
    line.addAll(List.of(command));
    return line;
  }

  private void run(Duration limit, String... command) throws IOException, InterruptedException {
    Process step =
        new ProcessBuilder(asOwner(command))
            .redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
            .start();
    if (!step.waitFor(limit.toMillis(), TimeUnit.MILLISECONDS) || step.exitValue() != 0) {
      step.destroyForcibly();
      throw new IOException(String.join(" ", command) + " failed:\n" + Files.readString(log));
    }
  }

  private boolean ready(Path bin) throws IOException, InterruptedException {
    Process check =
        new ProcessBuilder(
                bin.resolve("pg_isready").toString(),
                "-h",
                "127.0.0.1",
                "-p",
                Integer.toString(port),
                "-q")
            .redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.DISCARD)
            .start();
    return check.waitFor(5, TimeUnit.SECONDS) && check.exitValue() == 0;
  }

  /** The postmaster's PID, from its pid file (under runuser it is not the child process). */
  private Optional<Long> postmaster() {
    try {
      return Optional.of(
          Long.parseLong(Files.readAllLines(data.resolve("postmaster.pid")).get(0).trim()));
    } catch (IOException | RuntimeException gone) {
      return Optional.empty();
    }
  }

  @Override
  public void close() throws InterruptedException {
    postmaster()
        .flatMap(ProcessHandle::of)
        .ifPresent(
            pm -> {
              // SIGINT: a fast shutdown, which does not wait for clients to disconnect.
              try {
                new ProcessBuilder("kill", "-INT", Long.toString(pm.pid()))
                    .start()
                    .waitFor(5, TimeUnit.SECONDS);
              } catch (IOException | InterruptedException e) {
                pm.destroy();
              }
              pm.onExit().orTimeout(10, TimeUnit.SECONDS).exceptionally(e -> null).join();
              if (pm.isAlive()) {
                pm.destroyForcibly();
              }
            });
    if (process != null && !process.waitFor(10, TimeUnit.SECONDS)) {
      process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
    }
  }
}
