package dev.signalbox.eval.data;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

/**
 * Reads a YAML (or JSON) input file of the evaluator; every failure is a {@link DataException}
 * naming the file.
 */
public final class YamlFile {
  public static final ObjectMapper MAPPER = new ObjectMapper(new YAMLFactory());

  private YamlFile() {}

  /** The file's root node; null for an empty file. */
  public static JsonNode read(Path file) {
    String where = file.toString();
    try {
      return MAPPER.readTree(Files.readString(file));
    } catch (NoSuchFileException e) {
      throw new DataException(where, "file not found");
    } catch (JacksonException e) {
      throw new DataException(
          where,
          e.getLocation() == null ? 0 : e.getLocation().getLineNr(),
          "",
          "not valid YAML or JSON: " + e.getOriginalMessage());
    } catch (IOException e) {
      throw new DataException(where, "cannot read: " + e.getMessage());
    }
  }
}
