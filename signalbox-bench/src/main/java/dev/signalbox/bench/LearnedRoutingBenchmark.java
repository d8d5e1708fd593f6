package dev.signalbox.bench;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.MissingNode;
import dev.signalbox.api.ChatMessage;
import dev.signalbox.api.ChatRequest;
import dev.signalbox.api.PoolSnapshot;
import dev.signalbox.api.ResponseFormat;
import dev.signalbox.api.Role;
import dev.signalbox.core.config.BanditPolicySpec;
import dev.signalbox.core.config.GatewayConfig;
import dev.signalbox.core.config.LearnedPolicySpec;
import dev.signalbox.core.config.RouteSpec;
import dev.signalbox.core.embed.SentenceEncoder;
import dev.signalbox.core.embed.Vectors;
import dev.signalbox.core.learn.ArtifactSource;
import dev.signalbox.core.learn.BanditLearner;
import dev.signalbox.core.learn.KnnScorer;
import dev.signalbox.core.learn.LearnedArtifact;
import dev.signalbox.core.routing.RequestSignals;
import dev.signalbox.core.routing.Router;
import dev.signalbox.core.text.TextWindows;
import dev.signalbox.eval.data.DatasetFormat;
import dev.signalbox.eval.data.EvalPrompt;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.OptionalInt;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Pattern;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * What learned routing costs per request, run with two threads on two cores:
 *
 * <ul>
 *   <li>{@code cheapSignals}: every cheap signal of a conversation of {@code kilobytes} KB (prompt
 *       tokens with the real tokenizer, turns, tools, images, keyword and regex hits, a header,
 *       tenant, session), read from a fresh request as the router would;
 *   <li>{@code cheapRouteDecision}: the router's whole decision on a {@code cheapest} route,
 *       signals computed live;
 *   <li>{@code cachedEmbedding}: the embedding of a text already embedded;
 *   <li>{@code rawEmbedding}: the model alone on a prompt not seen before (MMLU's prompts when
 *       {@code ../shared/data} is there, else generated questions of the same shape);
 *   <li>{@code embeddingDecision}: a {@code threshold} route's whole decision on such a prompt: the
 *       embedding (the serving path: micro-batched, cached), a kNN scorer over 11,000 prompts, the
 *       router around it.
 * </ul>
 *
 * Sample time gives the percentiles; {@code rawEmbedding} against {@code embeddingDecision} gives
 * the throughput ratio (ops/s = 1 / mean sample time × threads).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 5)
@Measurement(iterations = 5, time = 5)
@Fork(
    value = 1,
    jvmArgsAppend = {"--enable-native-access=ALL-UNNAMED", "-Xmx512m"})
public class LearnedRoutingBenchmark {
  static final String CONFIG =
      """
      deployments:
        - {name: weak-a, provider: sim}
        - {name: strong-a, provider: sim}
      models:
        - {name: weak, deployments: [weak-a], pricing: {input: 0.6, output: 0.6}}
        - {name: strong, deployments: [strong-a], pricing: {input: 10, output: 30}}
      routes:
        - {name: cheap, models: [strong, weak], policy: cheapest}
        - name: learned
          policy: threshold
          models: [strong, weak]
          threshold: {strong: strong, weak: weak, value: 0.05}
          scorer: {kind: knn, k: 40, smoothing: 4}
      """;
  static final int LABELLED = 11_000;

  @Param({"2", "8"})
  public int kilobytes;

  private List<String> prompts;
  private final AtomicInteger next = new AtomicInteger();
  private SentenceEncoder encoder;
  private Router router;
  private ChatRequest conversation;
  private ChatRequest cheapRequest;
  private String cachedText;

  @Setup(Level.Trial)
  public void setUp() throws Exception {
    prompts = prompts();
    encoder = SentenceEncoder.load();
    GatewayConfig config = BenchSetup.reader().fittingLearnedRoutes().read(CONFIG, "bench");
    LearnedArtifact artifact = labelledStore();
    router =
        new Router(
            config,
            BenchSetup.POLICIES,
            BenchSetup.services(
                new ArtifactSource() {
                  @Override
                  public LearnedArtifact artifactFor(RouteSpec route, LearnedPolicySpec spec) {
                    return artifact;
                  }

                  @Override
                  public BanditLearner learnerFor(
                      RouteSpec route, BanditPolicySpec spec, LearnedArtifact learned) {
                    throw new IllegalStateException("no bandit here");
                  }
                }));
    conversation = conversation(kilobytes);
    cheapRequest = conversation;
    cachedText = prompts.get(0);
    BenchSetup.SIGNALS.embeddings().get().embed(cachedText);
  }

  /**
   * A kNN store of 11,000 random unit vectors with random labels: the search costs what a real one
   * does.
   */
  private static LearnedArtifact labelledStore() {
    SplittableRandom random = new SplittableRandom(1);
    float[][] vectors = new float[LABELLED][SentenceEncoder.DIMENSIONS];
    double[][] quality = new double[LABELLED][2];
    for (int i = 0; i < LABELLED; i++) {
      for (int d = 0; d < SentenceEncoder.DIMENSIONS; d++) {
        vectors[i][d] = (float) random.nextGaussian();
      }
      Vectors.normalised(vectors[i]);
      quality[i][0] = random.nextDouble() < 0.8 ? 1 : 0;
      quality[i][1] = random.nextDouble() < 0.68 ? 1 : 0;
    }
    KnnScorer knn =
        new KnnScorer(List.of("strong", "weak"), 40, 4, new double[] {0.8, 0.68}, vectors, quality);
    return new LearnedArtifact(
        "threshold",
        SentenceEncoder.MODEL_ID,
        "last-user",
        TextWindows.HEAD,
        Optional.empty(),
        "bench",
        "bench",
        List.of("strong", "weak"),
        knn,
        Optional.empty(),
        new float[0][],
        new double[] {256, 256});
  }

  private static List<String> prompts() throws Exception {
    Path mmlu = Path.of("../shared/data/routellm/mmlu");
    if (Files.isDirectory(mmlu)) {
      List<EvalPrompt> read =
          DatasetFormat.named("routellm").orElseThrow().reader().read(mmlu).prompts();
      List<String> texts = new ArrayList<>();
      for (EvalPrompt p : read) {
        texts.add(p.messages().get(p.messages().size() - 1).text());
      }
      return texts;
    }
    System.err.println(
        "../shared/data is absent: embedding MMLU-shaped generated questions instead");
    List<String> texts = new ArrayList<>();
    for (int i = 0; i < 20_000; i++) {
      texts.add(
          "Question "
              + i
              + ": which of the following best describes the role of enzyme "
              + i
              + " in cellular respiration? A. a catalyst B. a substrate C. a product D. an"
              + " inhibitor. Answer:");
    }
    return texts;
  }

  private static ChatRequest conversation(int kilobytes) {
    List<ChatMessage> messages = new ArrayList<>();
    messages.add(ChatMessage.text(Role.SYSTEM, "You are a careful assistant."));
    StringBuilder text = new StringBuilder();
    int turn = 0;
    while (text.length() < kilobytes * 1024) {
      String line =
          "Turn "
              + turn++
              + ": please look at this function and tell me why the loop never ends when the list"
              + " is empty. ";
      text.append(line);
      messages.add(ChatMessage.text(turn % 2 == 0 ? Role.ASSISTANT : Role.USER, line.repeat(4)));
    }
    messages.add(ChatMessage.text(Role.USER, "So how do I prove it terminates?"));
    return request("cheap", messages);
  }

  private static ChatRequest request(String model, List<ChatMessage> messages) {
    return new ChatRequest(
        model,
        messages,
        false,
        false,
        OptionalInt.empty(),
        OptionalDouble.empty(),
        List.of(),
        MissingNode.getInstance(),
        ResponseFormat.TEXT,
        List.of(),
        1,
        "",
        Map.of(),
        JsonNodeFactory.instance.objectNode());
  }

  private static final List<String> KEYWORDS = List.of("refactor", "prove", "derive");
  private static final Pattern CODE = Pattern.compile("(?s)(def |class |```)");
  private static final Map<String, String> HEADERS =
      Map.of("x-tier", "premium", "x-signalbox-session-id", "run-1");

  private String nextPrompt() {
    return prompts.get(Math.floorMod(next.getAndIncrement(), prompts.size())) + " #" + next.get();
  }

  @Benchmark
  public Object cheapSignals() {
    RequestSignals s =
        new RequestSignals(conversation, HEADERS, "tenant-a", 1024, BenchSetup.SIGNALS);
    return s.promptTokens()
        + s.turns()
        + (s.hasTools() ? 1 : 0)
        + (s.hasImages() ? 1 : 0)
        + s.firstKeyword(KEYWORDS).map(String::length).orElse(0)
        + (s.matches(CODE) ? 1 : 0)
        + s.header("x-tier").map(String::length).orElse(0)
        + s.tenant().length()
        + s.session().map(String::length).orElse(0);
  }

  @Benchmark
  public Object cheapRouteDecision() {
    return router.decide(
        new RequestSignals(cheapRequest, HEADERS, "tenant-a", 1024, BenchSetup.SIGNALS),
        7,
        PoolSnapshot.EMPTY);
  }

  @Benchmark
  public Object cachedEmbedding() {
    return BenchSetup.SIGNALS.embeddings().get().embed(cachedText);
  }

  @Benchmark
  public Object rawEmbedding() {
    return encoder.encode(nextPrompt());
  }

  @Benchmark
  public Object embeddingDecision() {
    ChatRequest request = request("learned", List.of(ChatMessage.text(Role.USER, nextPrompt())));
    return router.decide(
        new RequestSignals(request, Map.of(), "tenant-a", 1024, BenchSetup.SIGNALS),
        7,
        PoolSnapshot.EMPTY);
  }
}
