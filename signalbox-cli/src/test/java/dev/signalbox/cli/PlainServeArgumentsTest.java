package dev.signalbox.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** The serve command lines read without picocli are read as picocli reads them; no others are. */
class PlainServeArgumentsTest {
  @Test
  void everyFormItReadsPicocliReadsTheSame() {
    List<String[]> lines =
        List.of(
            line("serve", "--config", "a.yaml"),
            line("serve", "--config", "dir/a.yaml", "--port", "0"),
            line("serve", "--port", "8080", "--config", "a.yaml"),
            line("serve", "--warm-up", "100", "--config", "a.yaml", "--port", "19000"),
            line("serve", "--config", "a b.yaml", "--warm-up", "0"));
    for (String[] args : lines) {
      ServeCommand plain = PlainServeArguments.read(args).orElseThrow();
      ServeCommand picocli = new ServeCommand();
      new CommandLine(picocli).parseArgs(Arrays.copyOfRange(args, 1, args.length));
      assertThat(plain.configFile).as(String.join(" ", args)).isEqualTo(picocli.configFile);
      assertThat(plain.port).as(String.join(" ", args)).isEqualTo(picocli.port);
      assertThat(plain.warmUp).as(String.join(" ", args)).isEqualTo(picocli.warmUp);
    }
  }

  @Test
  void everyOtherFormIsLeftToPicocli() {
    List<String[]> lines =
        List.of(
            line("serve"),
            line("serve", "--config"),
            line("serve", "--help"),
            line("serve", "-h", "x"),
            line("serve", "--config=a.yaml"),
            line("serve", "--config", "a.yaml", "--version"),
            line("serve", "--config", "a.yaml", "--config", "b.yaml"),
            line("serve", "--config", "a.yaml", "--port", "x"),
            line("serve", "--config", "a.yaml", "--port", "-1"),
            line("serve", "--config", "a.yaml", "--port", "+80"),
            line("serve", "--config", "a.yaml", "--port", "0x50"),
            line("serve", "--config", "a.yaml", "--port", "1234567890"),
            line("serve", "--config", "a.yaml", "--warm-up", ""),
            line("serve", "--config", "-a.yaml"),
            line("serve", "--port", "80"),
            line("serve", "--config", "a.yaml", "--verbose", "1"),
            line("validate", "--config", "a.yaml"));
    for (String[] args : lines) {
      assertThat(PlainServeArguments.read(args)).as(String.join(" ", args)).isEmpty();
    }
  }

  private static String[] line(String... args) {
    return args;
  }
}
