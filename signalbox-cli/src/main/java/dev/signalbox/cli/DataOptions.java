package dev.signalbox.cli;

import dev.signalbox.core.text.TokenCounter;
import dev.signalbox.core.trace.TraceStores;
import dev.signalbox.eval.data.DataException;
import dev.signalbox.eval.data.Dataset;
import dev.signalbox.eval.data.DatasetFormat;
import dev.signalbox.eval.data.PriceList;
import dev.signalbox.eval.data.TracesReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import picocli.CommandLine.Option;

/**
 * The data flags {@code eval} and {@code train} share, and reading the priced data set they name.
 */
final class DataOptions {
  @Option(
      names = "--dataset",
      required = true,
      paramLabel = "PATH|URL",
      description =
          "an outcomes JSONL file, a RouteLLM folder (gsm8k, mmlu, mt_bench), an LLMRouter folder"
              + " or a trace store (a file, or a jdbc:postgresql:// URL with its password in"
              + " PGPASSWORD)")
  String dataset;

  @Option(
      names = "--format",
      paramLabel = "FORMAT",
      description =
          "outcomes, routellm, llmrouter or traces (a Signalbox trace store; default: guessed from"
              + " the path)")
  String format;

  @Option(
      names = "--prices",
      paramLabel = "FILE",
      description = "per-model prices (USD per million tokens) where the data has no costs")
  Path prices;

  @Option(
      names = "--output-tokens",
      paramLabel = "N",
      description =
          "output length assumed where the data records none (default: the price file's, else 256)")
  Long outputTokens;

  @Option(
      names = "--embedding-cache",
      defaultValue = ".signalbox/embeddings",
      paramLabel = "DIR",
      description = "where prompt embeddings are kept between runs (default ${DEFAULT-VALUE})")
  Path embeddingCache;

  /**
   * The data with a cost on every outcome, the price list that priced it (and that routes estimate
   * costs with), and where those prices came from.
   */
  record Priced(Dataset data, PriceList prices, String pricesFrom) {}

  Priced read(TokenCounter tokens) {
    Dataset raw = readRaw();
    PriceList priceList =
        prices == null ? raw.prices() : PriceList.read(prices).orElse(raw.prices());
    if (outputTokens != null) {
      priceList = priceList.withAssumedOutputTokens(outputTokens);
    }
    String from =
        prices != null
            ? prices.toString()
            : raw.prices().source().isEmpty()
                ? "from the data's per-prompt costs"
                : raw.prices().source();
    if (prices == null && !priceList.models().keySet().containsAll(raw.models())) {
      // Without prices a route's cost estimates would be zero: never silently.
      PriceList derived = PriceList.derived(raw, tokens, priceList.assumedOutputTokens());
      if (!derived.models().isEmpty()) {
        priceList = priceList.orElse(derived);
        from = derived.source();
      }
    }
    return new Priced(raw.priced(priceList, tokens), priceList, from);
  }

  private Dataset readRaw() {
    boolean database = TraceStores.isDatabase(dataset);
    DatasetFormat kind =
        format == null
            ? (database ? DatasetFormat.TRACES : DatasetFormat.guess(Path.of(dataset)))
            : DatasetFormat.named(format)
                .orElseThrow(
                    () ->
                        new DataException(
                            dataset,
                            0,
                            "--format",
                            "unknown format '"
                                + format
                                + "' (known: outcomes, routellm, llmrouter, traces)"));
    if (database) {
      if (kind != DatasetFormat.TRACES) {
        throw new DataException(
            TraceStores.describe(dataset), 0, "--format", "a database holds traces only");
      }
      return new TracesReader().read(dataset, Optional.ofNullable(System.getenv("PGPASSWORD")));
    }
    Path path = Path.of(dataset);
    if (!Files.exists(path)) {
      throw new DataException(dataset, "no such file or folder");
    }
    return kind.reader().read(path);
  }
}
