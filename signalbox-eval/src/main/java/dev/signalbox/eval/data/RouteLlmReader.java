package dev.signalbox.eval.data;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.dataformat.csv.CsvMapper;
import com.fasterxml.jackson.dataformat.csv.CsvParser;
import com.fasterxml.jackson.dataformat.csv.CsvSchema;
import dev.signalbox.api.ChatMessage;
import dev.signalbox.api.Role;
import dev.signalbox.core.text.TokenCounter;
import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;

/**
 * RouteLLM's evaluation files (lm-sys/RouteLLM, {@code routellm/evals}): GSM8K, MMLU and MT-Bench,
 * told apart by the folder's contents. Prompts listed in the folder's {@code
 * contaminated_prompts.jsonl} are dropped, as RouteLLM does before scoring. GSM8K's output tokens
 * are counted from the recorded answers; MMLU and MT-Bench record none, so the price list's assumed
 * output length applies.
 */
public final class RouteLlmReader implements DatasetReader {
  static final String CONTAMINATED = "contaminated_prompts.jsonl";
  private static final String RESPONSE_SUFFIX = "_response";
  private static final QualityScale MT_BENCH_SCALE = new QualityScale(1, 10);

  private final TokenCounter tokens;

  public RouteLlmReader() {
    this(new TokenCounter());
  }

  RouteLlmReader(TokenCounter tokens) {
    this.tokens = tokens;
  }

  @Override
  public Dataset read(Path dir) {
    if (!Files.isDirectory(dir)) {
      throw new DataException(
          dir.toString(),
          "expected a RouteLLM folder (gsm8k, mmlu or mt_bench), found no such folder");
    }
    if (Files.isRegularFile(dir.resolve("gsm8k_responses.csv"))) {
      return gsm8k(dir);
    }
    if (Files.isDirectory(dir.resolve("responses"))) {
      return mmlu(dir);
    }
    if (Files.isRegularFile(dir.resolve("question.jsonl"))
        && Files.isRegularFile(dir.resolve("judgements.jsonl"))) {
      return mtBench(dir);
    }
    throw new DataException(
        dir.toString(),
        "not a RouteLLM folder: expected gsm8k_responses.csv (GSM8K), responses/mmlu_*.csv (MMLU)"
            + " or question.jsonl and judgements.jsonl (MT-Bench)");
  }

  private Dataset gsm8k(Path dir) {
    Path file = dir.resolve("gsm8k_responses.csv");
    Set<String> contaminated = contaminated(dir);
    List<EvalPrompt> prompts = new ArrayList<>();
    List<String> models = new ArrayList<>();
    int dropped = csv(file, "gsm8k", contaminated, prompts, models);
    return new Dataset(
        "routellm/gsm8k",
        dir.toString(),
        models,
        prompts,
        QualityScale.UNIT,
        PriceList.NONE,
        List.of(dropped + " contaminated prompts dropped, " + prompts.size() + " remain"));
  }

  private Dataset mmlu(Path dir) {
    Set<String> contaminated = contaminated(dir);
    List<Path> files;
    try (Stream<Path> listing = Files.list(dir.resolve("responses"))) {
      files =
          listing
              .filter(p -> p.getFileName().toString().matches("mmlu_.+\\.csv"))
              .sorted()
              .toList();
    } catch (IOException e) {
      throw new DataException(
          dir.resolve("responses").toString(), "cannot list: " + e.getMessage());
    }
    if (files.isEmpty()) {
      throw new DataException(dir.resolve("responses").toString(), "no mmlu_<subject>.csv files");
    }
    List<EvalPrompt> prompts = new ArrayList<>();
    List<String> models = new ArrayList<>();
    int dropped = 0;
    for (Path file : files) {
      String name = file.getFileName().toString();
      String subject = name.substring("mmlu_".length(), name.length() - ".csv".length());
      dropped += csv(file, subject, contaminated, prompts, models);
    }
    return new Dataset(
        "routellm/mmlu",
        dir.toString(),
        models,
        prompts,
        QualityScale.UNIT,
        PriceList.NONE,
        List.of(
            files.size()
                + " subjects; "
                + dropped
                + " contaminated prompts dropped, "
                + prompts.size()
                + " remain"));
  }

  /**
   * Reads one CSV of prompts, True/False per model and, where present, {@code <model>_response}
   * into {@code prompts}; returns how many were dropped.
   */
  private int csv(
      Path file,
      String task,
      Set<String> contaminated,
      List<EvalPrompt> prompts,
      List<String> models) {
    String where = file.toString();
    CsvMapper mapper = new CsvMapper().enable(CsvParser.Feature.WRAP_AS_ARRAY);
    int dropped = 0;
    try (Reader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8);
        MappingIterator<List<String>> rows =
            mapper.readerForListOf(String.class).with(CsvSchema.emptySchema()).readValues(reader)) {
      if (!rows.hasNext()) {
        throw new DataException(where, "empty file");
      }
      List<String> header = rows.next();
      int promptColumn = header.indexOf("prompt");
      if (promptColumn < 0) {
        throw new DataException(where, 1, "prompt", "no prompt column in the header " + header);
      }
      List<String> fileModels = new ArrayList<>();
      for (String column : header) {
        if (!column.equals("prompt") && !column.endsWith(RESPONSE_SUFFIX) && !column.isEmpty()) {
          fileModels.add(column);
        }
      }
      if (models.isEmpty()) {
        models.addAll(fileModels);
      } else if (!models.equals(fileModels)) {
        throw new DataException(
            where, 1, "header", "models " + fileModels + " differ from the other files' " + models);
      }
      int[] correctColumn = models.stream().mapToInt(header::indexOf).toArray();
      int[] answerColumn =
          models.stream().mapToInt(m -> header.indexOf(m + RESPONSE_SUFFIX)).toArray();
      int index = 0;
      while (rows.hasNext()) {
        long line = rows.getCurrentLocation().getLineNr();
        List<String> row = rows.next();
        index++;
        if (row.size() != header.size()) {
          throw new DataException(
              where, line, "", "expected " + header.size() + " columns, got " + row.size());
        }
        String prompt = row.get(promptColumn);
        if (contaminated.contains(prompt)) {
          dropped++;
          continue;
        }
        Map<String, Outcome> outcomes = new LinkedHashMap<>();
        for (int m = 0; m < models.size(); m++) {
          Outcome outcome =
              Outcome.of(correctness(where, line, models.get(m), row.get(correctColumn[m])));
          if (answerColumn[m] >= 0) {
            outcome =
                outcome.withResponse(
                    row.get(answerColumn[m]), tokens.count(row.get(answerColumn[m])));
          }
          outcomes.put(models.get(m), outcome);
        }
        prompts.add(
            new EvalPrompt(
                task + "-" + index,
                List.of(ChatMessage.text(Role.USER, prompt)),
                task,
                "",
                outcomes,
                Map.of()));
      }
    } catch (JacksonException e) {
      throw new DataException(
          where,
          e.getLocation() == null ? 0 : e.getLocation().getLineNr(),
          "",
          "not valid CSV: " + e.getOriginalMessage());
    } catch (IOException e) {
      throw new DataException(where, "cannot read: " + e.getMessage());
    }
    return dropped;
  }

  private static double correctness(String file, long line, String model, String value) {
    return switch (value) {
      case "True", "true", "1", "1.0" -> 1;
      case "False", "false", "0", "0.0" -> 0;
      default ->
          throw new DataException(file, line, model, "expected True or False, got '" + value + "'");
    };
  }

  private Dataset mtBench(Path dir) {
    Set<String> contaminated = contaminated(dir);
    Path judgementsFile = dir.resolve("judgements.jsonl");
    Map<Integer, Map<String, List<Double>>> scores = new LinkedHashMap<>();
    Set<String> modelSet = new LinkedHashSet<>();
    JsonLines.forEach(
        judgementsFile,
        (line, node) -> {
          JsonNode score = node.path("score");
          if (!score.isNumber() || !MT_BENCH_SCALE.contains(score.asDouble())) {
            throw new DataException(
                judgementsFile.toString(),
                line,
                "score",
                "expected a judge score in " + MT_BENCH_SCALE + ", got " + score);
          }
          String model = node.path("model").asText("");
          if (model.isEmpty()) {
            throw new DataException(judgementsFile.toString(), line, "model", "missing");
          }
          modelSet.add(model);
          scores
              .computeIfAbsent(node.path("question_id").asInt(), q -> new LinkedHashMap<>())
              .computeIfAbsent(model, m -> new ArrayList<>())
              .add(score.asDouble());
        });
    List<String> models = List.copyOf(modelSet);
    Path questionsFile = dir.resolve("question.jsonl");
    List<EvalPrompt> prompts = new ArrayList<>();
    int[] dropped = {0};
    JsonLines.forEach(
        questionsFile,
        (line, node) -> {
          int id = node.path("question_id").asInt();
          JsonNode turns = node.path("turns");
          if (!turns.isArray() || turns.isEmpty()) {
            throw new DataException(
                questionsFile.toString(), line, "turns", "expected the question's turns");
          }
          boolean dirty = false;
          for (JsonNode turn : turns) {
            dirty |= contaminated.contains(turn.asText());
          }
          if (dirty) {
            dropped[0]++;
            return;
          }
          Map<String, Outcome> outcomes = new LinkedHashMap<>();
          for (String model : models) {
            List<Double> judged = scores.getOrDefault(id, Map.of()).get(model);
            if (judged == null) {
              throw new DataException(
                  judgementsFile.toString(),
                  0,
                  "question_id",
                  "no judgement of " + model + " on question " + id);
            }
            outcomes.put(
                model,
                Outcome.of(
                    judged.stream().mapToDouble(Double::doubleValue).average().orElseThrow()));
          }
          // RouteLLM routes an MT-Bench question on its first turn only.
          prompts.add(
              new EvalPrompt(
                  "mt-bench-" + id,
                  List.of(ChatMessage.text(Role.USER, turns.get(0).asText())),
                  node.path("category").asText(""),
                  "",
                  outcomes,
                  Map.of()));
        });
    return new Dataset(
        "routellm/mt_bench",
        dir.toString(),
        models,
        prompts,
        MT_BENCH_SCALE,
        PriceList.NONE,
        List.of(
            dropped[0]
                + " contaminated questions dropped, "
                + prompts.size()
                + " remain; quality is the mean GPT-4 judge score (1-10) of both turns"));
  }

  private static Set<String> contaminated(Path dir) {
    Path file = dir.resolve(CONTAMINATED);
    Set<String> prompts = new HashSet<>();
    if (!Files.isRegularFile(file)) {
      return prompts;
    }
    JsonLines.forEach(
        file,
        (line, node) -> {
          if (!node.path("eval_prompt").isTextual()) {
            throw new DataException(file.toString(), line, "eval_prompt", "missing");
          }
          prompts.add(node.path("eval_prompt").asText());
        });
    return prompts;
  }
}
