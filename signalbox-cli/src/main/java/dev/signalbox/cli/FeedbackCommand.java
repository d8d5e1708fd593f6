package dev.signalbox.cli;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.databind.JsonNode;
import dev.signalbox.api.SignalboxException;
import dev.signalbox.api.TimeSource;
import dev.signalbox.core.trace.Feedback;
import dev.signalbox.core.wire.Json;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * Imports feedback from a file into the trace store, as {@code POST /v1/feedback} would keep it.
 */
@Command(
    name = "feedback",
    mixinStandardHelpOptions = true,
    description =
        "Import feedback, one {request_id, score | thumbs, comment?} JSON object per line, into a"
            + " trace store.")
final class FeedbackCommand implements Callable<Integer> {
  @Option(
      names = "--import",
      required = true,
      paramLabel = "FILE",
      description = "the JSONL file of feedback")
  Path file;

  @CommandLine.Mixin TraceStoreOption traceStore;

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Override
  public Integer call() throws Exception {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    List<Feedback> feedback = new ArrayList<>();
    List<Integer> lines = new ArrayList<>();
    try {
      List<String> text = Files.readAllLines(file, StandardCharsets.UTF_8);
      Instant now = TimeSource.SYSTEM.now();
      for (int i = 0; i < text.size(); i++) {
        if (text.get(i).isBlank()) {
          continue;
        }
        feedback.add(parse(text.get(i), i + 1, now));
        lines.add(i + 1);
      }
    } catch (LineException e) {
      err.println(e.getMessage());
      return 2;
    } catch (IOException e) {
      err.println(
          file + ": " + (Files.exists(file) ? "cannot read: " + e.getMessage() : "file not found"));
      return 2;
    }
    Optional<TraceStoreOption.Opened> found = traceStore.open(err);
    if (found.isEmpty()) {
      return 2;
    }
    String path = found.get().where();
    List<String> unknown;
    try (TraceStoreOption.Opened traces = found.get()) {
      unknown = traces.store().addAllFeedback(feedback);
    }
    if (!unknown.isEmpty()) {
      for (int i = 0; i < feedback.size(); i++) {
        if (unknown.contains(feedback.get(i).requestId())) {
          err.println(
              file
                  + ":"
                  + lines.get(i)
                  + ": no recorded request '"
                  + feedback.get(i).requestId()
                  + "'");
        }
      }
      err.printf(
          "imported nothing: %d of %d lines name no recorded request in %s%n",
          unknown.size(), feedback.size(), path);
      return 1;
    }
    out.printf(
        "imported %d feedback lines into %s (one score per request and source: a line for a"
            + " request already judged by its source replaces that score)%n",
        feedback.size(), path);
    return 0;
  }

  private Feedback parse(String line, int number, Instant now) {
    try {
      JsonNode node = Json.MAPPER.readTree(line);
      if (node == null || !node.isObject()) {
        throw new LineException(
            file + ":" + number + ": expected a JSON object {request_id, score}");
      }
      return Feedback.of(node, now, Feedback.IMPORT);
    } catch (JacksonException e) {
      throw new LineException(file + ":" + number + ": not valid JSON: " + e.getOriginalMessage());
    } catch (SignalboxException e) {
      throw new LineException(
          file
              + ":"
              + number
              + ": "
              + e.param().map(param -> param + ": ").orElse("")
              + e.getMessage());
    }
  }

  private static final class LineException extends RuntimeException {
    LineException(String message) {
      super(message);
    }
  }
}
