package dev.signalbox.eval.data;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

/** Reads a JSONL file of the public data sets, naming the file and line of any bad record. */
public final class JsonLines {
  private static final ObjectMapper JSON = new ObjectMapper();

  private JsonLines() {}

  /** Told each non-blank line's number (from 1) and parsed object. */
  public interface Line {
    void accept(long line, JsonNode node);
  }

  public static void forEach(Path file, Line consumer) {
    String text;
    try {
      text = Files.readString(file, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new DataException(
          file.toString(),
          e instanceof NoSuchFileException ? "file not found" : "cannot read: " + e.getMessage());
    }
    // Split on \n only: some records hold Unicode line separators inside their strings.
    String[] lines = text.split("\n", -1);
    for (int i = 0; i < lines.length; i++) {
      if (lines[i].isBlank()) {
        continue;
      }
      JsonNode node;
      try {
        node = JSON.readTree(lines[i]);
      } catch (JacksonException e) {
        throw new DataException(
            file.toString(), i + 1, "", "not valid JSON: " + e.getOriginalMessage());
      }
      consumer.accept(i + 1, node);
    }
  }
}
