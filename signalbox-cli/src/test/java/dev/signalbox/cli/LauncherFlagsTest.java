package dev.signalbox.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The launcher's choice of collector and heap for {@code serve} (build/run-java.sh {@code
 * serve_flags}): G1 in 112 MB, and the serial collector in 144 MB for a config that embeds prompts,
 * with the vector module that its kNN search's int8 bounds need.
 */
@Timeout(60)
class LauncherFlagsTest {
  private static final List<String> DEFAULT = List.of("-Xms112m", "-Xmx112m", "-XX:+UseG1GC");
  private static final List<String> EMBEDDING =
      List.of("-Xms144m", "-Xmx144m", "-XX:+UseSerialGC", "--add-modules=jdk.incubator.vector");

  @TempDir Path dir;

  @ParameterizedTest
  @ValueSource(
      strings = {
        "  - {name: learned, policy: threshold, models: [a, b]}",
        "  - name: learned\n    policy: objective",
        "  - name: learned\n    policy: \"bandit\"",
        "  - name: auto\n    policy: rules\n    domains:\n      - {name: code, examples: [x]}"
      })
  void aConfigThatEmbedsPromptsGetsTheSerialCollector(String route) throws Exception {
    assertThat(flags("--config", config("routes:\n" + route + "\n")))
        .containsAll(EMBEDDING)
        .doesNotContain("-XX:+UseG1GC");
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "  - {name: auto, policy: rules}\n  - {name: cheap, policy: cheapest}",
        "  - {name: custom, policy: thresholds}",
        "  # policy: threshold, once\n  - {name: auto, policy: priority}",
        "  - {name: auto, policy: priority}  # policy: threshold, once"
      })
  void anyOtherConfigGetsG1(String routes) throws Exception {
    assertThat(flags("--config", config("routes:\n" + routes + "\n")))
        .containsAll(DEFAULT)
        .doesNotContain("-XX:+UseSerialGC", "--add-modules=jdk.incubator.vector");
  }

  @Test
  void readsTheConfigInEitherSpellingOfTheOptionAndNothingWithoutOne() throws Exception {
    String learned = config("routes:\n  - {name: l, policy: threshold}\n");
    assertThat(flags("--config=" + learned)).containsAll(EMBEDDING);
    assertThat(flags()).containsAll(DEFAULT);
    assertThat(flags("--config", dir.resolve("absent.yaml").toString())).containsAll(DEFAULT);
  }

  @ParameterizedTest
  @ValueSource(strings = {"eval", "train", "replay", "validate", "traces"})
  void theOfflineCommandsThatSearchNeighboursGetTheVectorModule(String command) throws Exception {
    // find_java answers echo, so the launcher prints the command line it would run.
    Processes.Result result = launcher("find_java() { echo echo; } && run_signalbox cp", command);
    assertThat(result.exitCode()).as(result.output()).isZero();
    boolean searches = List.of("eval", "train", "replay").contains(command);
    assertThat(result.output().contains("--add-modules=jdk.incubator.vector"))
        .as(result.output())
        .isEqualTo(searches);
  }

  @ParameterizedTest
  @ValueSource(strings = {"eval", "train", "replay", "validate", "traces"})
  void theOfflineCommandsMayTakeHalfTheMachinesMemoryAndAUsersHeapWins(String command)
      throws Exception {
    Processes.Result result =
        launcher(
            "export SIGNALBOX_JAVA_OPTS=-Xmx3g && find_java() { echo echo; } && run_signalbox cp",
            command);
    assertThat(result.exitCode()).as(result.output()).isZero();
    // The JVM takes -Xmx over the percentage wherever it stands.
    assertThat(result.output()).contains("-XX:MaxRAMPercentage=50").contains(" -Xmx3g ");
  }

  @ParameterizedTest
  @ValueSource(strings = {"eval", "train", "serve", "replay"})
  void theCommandsThatMayTuneAnEncoderFixPyTorchsThreads(String command) throws Exception {
    // find_java answers a script that prints the thread settings it was given.
    Path java =
        Files.writeString(
            dir.resolve("java"),
            "#!/bin/sh\necho threads=${OMP_NUM_THREADS:-unset},${MKL_DYNAMIC:-unset},"
                + "${OMP_DYNAMIC:-unset}\n");
    assertThat(java.toFile().setExecutable(true)).isTrue();
    Processes.Result result =
        launcher(
            "unset OMP_NUM_THREADS MKL_DYNAMIC OMP_DYNAMIC && find_java() { echo '"
                + java
                + "'; } && run_signalbox cp",
            command);
    assertThat(result.exitCode()).as(result.output()).isZero();
    String expected =
        List.of("eval", "train").contains(command)
            ? "threads=" + Runtime.getRuntime().availableProcessors() + ",FALSE,FALSE"
            : "threads=unset,unset,unset";
    assertThat(result.output()).contains(expected);
  }

  @ParameterizedTest
  @ValueSource(strings = {"serve", "eval", "train", "replay", "validate"})
  void everyCommandRunsOnnxRuntimeWithItsTelemetryOff(String command) throws Exception {
    // ONNX Runtime 1.29 would send events off the machine, and crash at start without a shell.
    Path java =
        Files.writeString(
            dir.resolve("java"), "#!/bin/sh\necho telemetry=${ORT_DISABLE_TELEMETRY:-unset}\n");
    assertThat(java.toFile().setExecutable(true)).isTrue();
    String launch = "find_java() { echo '" + java + "'; } && run_signalbox cp";
    Processes.Result unset = launcher("unset ORT_DISABLE_TELEMETRY && " + launch, command);
    assertThat(unset.exitCode()).as(unset.output()).isZero();
    assertThat(unset.output()).contains("telemetry=1");
    Processes.Result chosen = launcher("export ORT_DISABLE_TELEMETRY=0 && " + launch, command);
    assertThat(chosen.output()).as("a value the user set is kept").contains("telemetry=0");
  }

  @Test
  void onlyTheDefaultFlagsStartFromTheAheadOfTimeCache() throws Exception {
    // The cache is recorded under the default flags; the JVM refuses it under the vector module.
    String learned = config("routes:\n  - {name: l, policy: threshold}\n");
    String plain = config("routes:\n  - {name: auto, policy: priority}\n");
    assertThat(takesAotCache("--config", learned)).isFalse();
    assertThat(takesAotCache("--config", plain)).isTrue();
  }

  private boolean takesAotCache(String... serveArgs) throws Exception {
    return launcher("takes_aot_cache serve", serveArgs).exitCode() == 0;
  }

  private String config(String text) throws Exception {
    Path file = Files.createTempFile(dir, "signalbox", ".yaml");
    Files.writeString(file, text);
    return file.toString();
  }

  private List<String> flags(String... serveArgs) throws Exception {
    Processes.Result result = launcher("serve_flags serve", serveArgs);
    assertThat(result.exitCode()).as(result.output()).isZero();
    return result.output().lines().toList();
  }

  /** Runs {@code call "$@"} in bash with build/run-java.sh sourced, {@code args} as "$@". */
  private static Processes.Result launcher(String call, String... args) throws Exception {
    String[] command = new String[4 + args.length];
    command[0] = "bash";
    command[1] = "-c";
    command[2] = "source build/run-java.sh && " + call + " \"$@\"";
    command[3] = "launcher";
    System.arraycopy(args, 0, command, 4, args.length);
    return Processes.run(Path.of(".."), Duration.ofSeconds(30), command);
  }
}
