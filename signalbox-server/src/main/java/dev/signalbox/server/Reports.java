package dev.signalbox.server;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.signalbox.api.ErrorKind;
import dev.signalbox.api.SignalboxException;
import dev.signalbox.core.wire.Json;
import dev.signalbox.server.http.Reply;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The offline results the dashboard lists and opens, from {@code server.reports-dir}: each folder
 * {@code eval --report} wrote (its {@code index.html} and charts) and each JSON file (a {@code
 * replay --json} report). Only names of plain characters are served, and only from that folder or
 * one level below it.
 */
final class Reports {
  static final int MAX_LISTED = 200;
  private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,199}");
  private static final Map<String, String> TYPES =
      Map.of(
          "html", "text/html; charset=utf-8",
          "png", "image/png",
          "json", "application/json",
          "csv", "text/csv; charset=utf-8",
          "txt", "text/plain; charset=utf-8");

  private final Optional<Path> dir;

  Reports(Optional<Path> dir) {
    this.dir = dir;
  }

  /** The reports, newest first: {@code {name, kind, modified, open}}. */
  ObjectNode list() {
    ObjectNode body = Json.object();
    ArrayNode reports = body.putArray("reports");
    body.put("configured", dir.isPresent());
    if (dir.isEmpty() || !Files.isDirectory(dir.get())) {
      return body;
    }
    try (Stream<Path> entries = Files.list(dir.get())) {
      entries
          .filter(p -> NAME.matcher(p.getFileName().toString()).matches())
          .filter(p -> Files.isRegularFile(p.resolve("index.html")) || isJson(p))
          .sorted(Comparator.comparing(Reports::modified).reversed())
          .limit(MAX_LISTED)
          .forEach(
              p -> {
                boolean folder = Files.isDirectory(p);
                String name = p.getFileName().toString();
                reports
                    .addObject()
                    .put("name", name)
                    .put("kind", folder ? "eval" : "replay")
                    .put("modified", Instant.ofEpochMilli(modified(p)).toString())
                    .put(
                        "open",
                        Dashboard.PATH + "/reports/" + name + (folder ? "/index.html" : ""));
              });
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return body;
  }

  /** A file of a report, by the path under {@code /ui/reports/}. */
  void serve(String rest, Reply reply) {
    List<String> parts = List.of(rest.split("/", -1));
    if (dir.isEmpty()
        || parts.isEmpty()
        || parts.size() > 2
        || !parts.stream().allMatch(part -> NAME.matcher(part).matches())) {
      throw missing(rest);
    }
    Path file = dir.get();
    for (String part : parts) {
      file = file.resolve(part);
    }
    String extension = extension(file);
    String type = TYPES.get(extension);
    if (type == null
        || !Files.isRegularFile(file)
        || !file.normalize().startsWith(dir.get().normalize())) {
      throw missing(rest);
    }
    try {
      reply.header("cache-control", "no-store");
      reply.send(200, type, Files.readAllBytes(file));
    } catch (IOException e) {
      throw missing(rest);
    }
  }

  private static boolean isJson(Path p) {
    return Files.isRegularFile(p) && extension(p).equals("json");
  }

  private static String extension(Path p) {
    String name = p.getFileName().toString();
    int dot = name.lastIndexOf('.');
    return dot < 0 ? "" : name.substring(dot + 1).toLowerCase(Locale.ROOT);
  }

  private static long modified(Path p) {
    try {
      return Files.getLastModifiedTime(p).toMillis();
    } catch (IOException e) {
      return 0;
    }
  }

  private static SignalboxException missing(String rest) {
    return new SignalboxException(
        ErrorKind.NOT_FOUND, "No report file '" + rest + "'.", null, "report_not_found");
  }
}
