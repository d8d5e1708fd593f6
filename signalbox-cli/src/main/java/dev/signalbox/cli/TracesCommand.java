package dev.signalbox.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.signalbox.core.trace.Feedback;
import dev.signalbox.core.trace.PrivateFiles;
import dev.signalbox.core.trace.TraceJson;
import dev.signalbox.core.trace.TraceStore;
import dev.signalbox.core.wire.Json;
import java.io.BufferedWriter;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** Shows recorded decision traces, one in full, or exports them as canonical JSONL. */
@Command(
    name = "traces",
    mixinStandardHelpOptions = true,
    description = "Show recorded traces: the newest, one by ID, or export them as JSONL.")
final class TracesCommand implements Callable<Integer> {
  @Parameters(
      index = "0",
      arity = "0..1",
      paramLabel = "ID",
      description = "show this trace in full")
  String id;

  @CommandLine.Mixin TraceStoreOption traceStore;

  @Option(
      names = "--limit",
      defaultValue = "20",
      description = "how many of the newest to list (default ${DEFAULT-VALUE})")
  int limit;

  @Option(
      names = "--export",
      paramLabel = "FILE",
      description = "write every trace, oldest first, as canonical JSONL")
  Path export;

  @Option(
      names = "--decisions",
      description = "with --export: only the decision fields (the log replay compares)")
  boolean decisionsOnly;

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Override
  public Integer call() throws Exception {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    Optional<TraceStoreOption.Opened> found = traceStore.open(err);
    if (found.isEmpty()) {
      return 2;
    }
    String path = found.get().where();
    try (TraceStoreOption.Opened opened = found.get()) {
      TraceStore traces = opened.store();
      if (export != null) {
        return export(traces, out);
      }
      if (id != null) {
        Optional<String> trace = traces.find(id);
        if (trace.isEmpty()) {
          err.println("no trace with id '" + id + "' in " + path);
          return 1;
        }
        out.println(
            Json.MAPPER
                .writerWithDefaultPrettyPrinter()
                .writeValueAsString(Json.MAPPER.readTree(trace.get())));
        return 0;
      }
      list(traces, traces.recent(limit), out);
      return 0;
    }
  }

  private int export(TraceStore traces, PrintWriter out) throws Exception {
    long[] count = {0};
    PrivateFiles.createIfMissing(export);
    try (BufferedWriter writer = Files.newBufferedWriter(export, StandardCharsets.UTF_8)) {
      Exception[] failure = {null};
      traces.forEach(
          line -> {
            try {
              writer.write(decisionsOnly ? TraceJson.decisionLine(line) : line);
              writer.write('\n');
              count[0]++;
            } catch (Exception e) {
              failure[0] = e;
            }
          });
      if (failure[0] != null) {
        throw failure[0];
      }
    }
    out.printf("wrote %d traces to %s%n", count[0], export);
    return 0;
  }

  /** One line a trace, times to the second, with the mean of its feedback scores if any. */
  private static void list(TraceStore store, List<String> traces, PrintWriter out)
      throws Exception {
    String format = "%-30s %-20s %-12s %-14s %-18s %5s %12s %8s%n";
    out.printf(
        format, "ID", "TIME (UTC)", "ROUTE", "MODEL", "OUTCOME", "TRIES", "COST_USD", "FEEDBACK");
    for (String line : traces) {
      JsonNode t = Json.MAPPER.readTree(line);
      JsonNode attempts = t.path("attempts");
      String model =
          attempts.isEmpty() ? "-" : attempts.get(attempts.size() - 1).path("model").asText();
      JsonNode routes = t.path("routes");
      String route = routes.isEmpty() ? "-" : routes.get(routes.size() - 1).asText();
      String id = t.path("id").asText();
      List<Feedback> feedback = store.feedback(id);
      out.printf(
          format,
          id,
          toSecond(t.path("time").asText()),
          route,
          model,
          t.path("outcome").asText(),
          attempts.size(),
          String.format(Locale.ROOT, "%.8f", t.path("cost_usd").asDouble()),
          feedback.isEmpty()
              ? "-"
              : String.format(
                  Locale.ROOT,
                  "%.2f",
                  feedback.stream().mapToDouble(Feedback::score).average().orElseThrow()));
    }
  }

  private static String toSecond(String instant) {
    try {
      return DateTimeFormatter.ISO_LOCAL_DATE_TIME.format(
          Instant.parse(instant).truncatedTo(ChronoUnit.SECONDS).atOffset(ZoneOffset.UTC));
    } catch (DateTimeParseException e) {
      return instant;
    }
  }
}
