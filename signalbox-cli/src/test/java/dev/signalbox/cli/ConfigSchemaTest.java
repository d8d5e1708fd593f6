package dev.signalbox.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SpecVersion;
import com.networknt.schema.ValidationMessage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * {@code signalbox config schema} describes the files the reader accepts: every config in the
 * repository validates against it, and the mistakes the reader refuses are refused by it too.
 */
class ConfigSchemaTest {
  private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
  private static JsonSchema schema;

  @BeforeAll
  static void printTheSchema() throws IOException {
    CliTest.Run run = CliTest.run("config", "schema");
    assertThat(run.exit()).as(run.err()).isZero();
    schema =
        JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V202012)
            .getSchema(new ObjectMapper().readTree(run.out()));
  }

  private static Set<ValidationMessage> validate(String yaml) throws IOException {
    return schema.validate(YAML.readTree(yaml));
  }

  @Test
  void everyConfigInTheRepositoryValidates() throws IOException {
    List<Path> configs;
    try (Stream<Path> files = Files.walk(Path.of("../examples"))) {
      configs =
          files
              .filter(p -> p.toString().endsWith(".yaml"))
              .filter(p -> !p.toString().contains("/eval/"))
              .toList();
    }
    assertThat(configs).isNotEmpty();
    for (Path config : configs) {
      JsonNode tree = YAML.readTree(Files.readString(config));
      assertThat(schema.validate(tree)).as(config.toString()).isEmpty();
    }
  }

  @Test
  void refusesWhatTheReaderRefuses() throws IOException {
    String pool =
        """
        deployments:
          - {name: a, provider: sim}
        models:
          - {name: m, deployments: [a]}
        routes:
        """;
    assertThat(validate(pool + "  - {name: r, models: [m], policy: cheapest}\n")).isEmpty();
    assertThat(validate(pool + "  - {name: r, models: [m], colour: blue}\n")).isNotEmpty();
    assertThat(validate(pool + "  - {name: r, models: [m], policy: smartest}\n")).isNotEmpty();
    assertThat(validate(pool + "  - {name: r, models: [m], policy: cheapest, weights: {m: 1}}\n"))
        .as("a key of another policy")
        .isNotEmpty();
    assertThat(validate(pool + "  - {name: r, models: [m], policy: weighted, weights: {m: 1}}\n"))
        .isEmpty();
    assertThat(validate(pool + "  - {name: r, models: [m], timeout: soon}\n")).isNotEmpty();
    assertThat(validate("server: {port: 70000}\n" + pool)).isNotEmpty();
  }
}
