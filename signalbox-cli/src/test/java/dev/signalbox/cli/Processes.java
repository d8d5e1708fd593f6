package dev.signalbox.cli;

import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Child processes for tests: run to completion with a timeout, output captured, killed by PID if
 * late.
 */
final class Processes {
  private Processes() {}

  record Result(int exitCode, String output) {}

  static Result run(Path dir, Duration timeout, String... command)
      throws IOException, InterruptedException {
    return run(dir, Map.of(), timeout, command);
  }

  /** Runs {@code command} with {@code environment} added to this process's. */
  static Result run(Path dir, Map<String, String> environment, Duration timeout, String... command)
      throws IOException, InterruptedException {
    ProcessBuilder builder = new ProcessBuilder(command).directory(dir.toFile());
    builder.environment().putAll(environment);
    // No input: a child that reads stdin (Claude Code waits 3 s for piped data) sees its end at
    // once.
    builder.redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
    Process process = builder.redirectErrorStream(true).start();
    StringBuilder output = new StringBuilder();
    Thread reader =
        Thread.ofVirtual()
            .start(
                () -> {
                  try (BufferedReader in =
                      new BufferedReader(
                          new InputStreamReader(
                              process.getInputStream(), StandardCharsets.UTF_8))) {
                    String line;
                    while ((line = in.readLine()) != null) {
                      synchronized (output) {
                        output.append(line).append('\n');
                      }
                    }
                  } catch (IOException ignored) {
                    // The process ended.
                  }
                });
    if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
      process.toHandle().descendants().forEach(ProcessHandle::destroyForcibly);
      process.destroyForcibly();
      throw new AssertionError(
          String.join(" ", command) + " did not finish within " + timeout + ":\n" + output);
    }
    reader.join(5_000);
    synchronized (output) {
      return new Result(process.exitValue(), output.toString());
    }
  }

  /**
   * This JVM's java binary and class path, to start the CLI as a child process. The class path goes
   * in an argument file: ONNX Runtime 1.29 dies in native code (exit 139) when creating its
   * environment in a process whose command line is several kilobytes long, as a spelled-out Maven
   * class path is; the launcher's {@code lib/*} keeps its own short.
   */
  static List<String> javaCommand(String... args) {
    String java = ProcessHandle.current().info().command().orElse("java");
    Path argFile;
    try {
      argFile = Files.createTempFile("signalbox-cp", ".args");
      argFile.toFile().deleteOnExit();
      Files.writeString(
          argFile, "-cp \"" + System.getProperty("java.class.path").replace("\\", "\\\\") + "\"\n");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    List<String> command =
        new ArrayList<>(
            List.of(
                java,
                "--enable-native-access=ALL-UNNAMED",
                "-Xmx256m",
                "@" + argFile,
                Main.class.getName()));
    command.addAll(List.of(args));
    return command;
  }
}
