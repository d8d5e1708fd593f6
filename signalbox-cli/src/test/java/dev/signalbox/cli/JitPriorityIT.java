package dev.signalbox.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The launcher's {@code lower_jit_priority} (build/run-java.sh) against a real serving JVM. */
@Timeout(120)
class JitPriorityIT {
  @TempDir Path dir;

  record ThreadNice(String name, int nice) {}

  @Test
  void lowersTheCompilerThreadsAndNoOther() throws Exception {
    Path config = dir.resolve("signalbox.yaml");
    Files.writeString(
        config,
        """
        deployments:
          - {name: local, provider: sim}
        models:
          - {name: small, deployments: [local]}
        routes:
          - {name: auto, models: [small], policy: priority}
        """);
    try (ServeProcess serve = ServeProcess.start(dir, config)) {
      long pid = serve.process.pid();
      Processes.Result lowered =
          Processes.run(
              Path.of(".."),
              Duration.ofSeconds(30),
              "bash",
              "-c",
              "source build/run-java.sh && lower_jit_priority \"$0\" 10",
              Long.toString(pid));
      assertThat(lowered.exitCode()).as(lowered.output()).isZero();

      List<ThreadNice> threads = threads(pid);
      assertThat(threads)
          .filteredOn(t -> t.name().startsWith("C1 CompilerThre"))
          .isNotEmpty()
          .allMatch(t -> t.nice() == 10);
      assertThat(threads)
          .filteredOn(t -> t.name().startsWith("C2 CompilerThre"))
          .isNotEmpty()
          .allMatch(t -> t.nice() == 10);
      assertThat(threads)
          .filteredOn(t -> !t.name().contains("CompilerThre"))
          .hasSizeGreaterThan(5)
          .allMatch(t -> t.nice() == 0, "left at nice 0");
    }
  }

  /** Each thread of {@code pid}: its name and niceness, from /proc. */
  private static List<ThreadNice> threads(long pid) throws IOException {
    List<ThreadNice> threads = new ArrayList<>();
    try (Stream<Path> tasks = Files.list(Path.of("/proc", Long.toString(pid), "task"))) {
      for (Path task : tasks.toList()) {
        String stat = Files.readString(task.resolve("stat"));
        String name = stat.substring(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
        // After the name: state is field 3 of stat(5), nice field 19.
        String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        threads.add(new ThreadNice(name, Integer.parseInt(fields[19 - 3])));
      }
    }
    return threads;
  }
}
