package dev.signalbox.core.learn;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.signalbox.core.embed.TunedLayers;
import dev.signalbox.core.text.SharedPrefixes;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * An artifact as a JSON file: a header (format, policy, embedding model, data hash, models) and the
 * fitted numbers, vectors as base64 of little-endian float32 or float64. The header's {@code
 * content_sha256} is the hash of the file's body, checked on every read, so a file edited or cut
 * short is refused rather than served.
 */
public final class ArtifactFile {
  // A kNN store of MMLU's size is a 20 MB base64 string: above Jackson's default limit of 20 M
  // chars.
  private static final ObjectMapper JSON =
      new ObjectMapper(
          com.fasterxml.jackson.core.JsonFactory.builder()
              .streamReadConstraints(
                  com.fasterxml.jackson.core.StreamReadConstraints.builder()
                      .maxStringLength(Integer.MAX_VALUE)
                      .build())
              .build());

  /** The body's fields written as base64 of numbers. */
  private static final java.util.Set<String> BASE64_FIELDS =
      java.util.Set.of(
          "output_tokens",
          "clusters",
          "prior",
          "vectors",
          "quality",
          "projection",
          "model_vectors",
          "bias",
          "weights",
          "values");

  private ArtifactFile() {}

  /** A problem with an artifact file, naming it. */
  public static final class ArtifactException extends RuntimeException {
    public ArtifactException(Path file, String message) {
      super(file + ": " + message);
    }
  }

  public static void write(LearnedArtifact artifact, Path file) throws IOException {
    ObjectNode body = body(artifact);
    ObjectNode root = JSON.createObjectNode();
    root.put("format", LearnedArtifact.FORMAT);
    root.put("policy", artifact.policy());
    root.put("embedding_model", artifact.embeddingModel());
    root.put("embed", artifact.embed());
    root.put("window", artifact.window());
    root.put("data_sha256", artifact.dataHash());
    root.put("data_source", artifact.dataSource());
    root.put("content_sha256", hash(body));
    root.set("body", body);
    Path parent = file.toAbsolutePath().getParent();
    Files.createDirectories(parent);
    Path temporary = Files.createTempFile(parent, file.getFileName().toString(), ".tmp");
    JSON.writeValue(temporary.toFile(), root);
    Files.move(
        temporary,
        file,
        java.nio.file.StandardCopyOption.REPLACE_EXISTING,
        java.nio.file.StandardCopyOption.ATOMIC_MOVE);
  }

  /** The artifact's content hash, the short form decisions record. */
  public static String contentHash(LearnedArtifact artifact) {
    try {
      return hash(body(artifact));
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  /**
   * SHA-256 of the body's compact JSON, streamed: the body of a large kNN store is tens of
   * megabytes.
   */
  private static String hash(JsonNode body) throws IOException {
    java.security.MessageDigest digest;
    try {
      digest = java.security.MessageDigest.getInstance("SHA-256");
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JVM has SHA-256", e);
    }
    try (var out =
        new java.security.DigestOutputStream(java.io.OutputStream.nullOutputStream(), digest)) {
      JSON.writeValue(out, body);
    }
    return java.util.HexFormat.of().formatHex(digest.digest());
  }

  public static LearnedArtifact read(Path file) {
    JsonNode root;
    try {
      if (!Files.exists(file)) {
        throw new java.nio.file.NoSuchFileException(file.toString());
      }
      root = readTree(file);
    } catch (java.nio.file.NoSuchFileException e) {
      throw new ArtifactException(file, "no such artifact (write one with ./signalbox train)");
    } catch (IOException e) {
      throw new ArtifactException(file, "not a readable artifact: " + e.getMessage());
    }
    if (root == null || root.path("format").asInt(-1) != LearnedArtifact.FORMAT) {
      throw new ArtifactException(
          file,
          "not an artifact of format "
              + LearnedArtifact.FORMAT
              + " (format: "
              + (root == null ? "none" : root.path("format"))
              + ")");
    }
    JsonNode body = root.path("body");
    String expected = root.path("content_sha256").asText();
    try {
      String actual = hash(body);
      if (!actual.equals(expected)) {
        throw new ArtifactException(
            file,
            "content_sha256 is "
                + expected
                + " but the content hashes to "
                + actual
                + " (edited or cut short?)");
      }
    } catch (IOException e) {
      throw new ArtifactException(file, e.getMessage());
    }
    try {
      return fromBody(root, body);
    } catch (RuntimeException e) {
      throw new ArtifactException(file, "malformed: " + e.getMessage());
    }
  }

  private static ObjectNode body(LearnedArtifact a) {
    ObjectNode body = JSON.createObjectNode();
    ArrayNode models = body.putArray("models");
    a.models().forEach(models::add);
    body.put("output_tokens", doubles(a.outputTokens()));
    a.calibration()
        .ifPresent(
            c -> {
              ObjectNode calibration =
                  body.putObject("calibration")
                      .put("strong", c.strong())
                      .put("weak", c.weak())
                      .put("value", c.value())
                      .put("target", c.target())
                      .put("strong_share", c.strongShare());
              c.promise()
                  .ifPresent(
                      p ->
                          calibration
                              .putObject("promise")
                              .put("quality", p.quality())
                              .put("of", p.of())
                              .put("confidence", p.confidence())
                              .put("prompts", p.prompts())
                              .put("margin", p.margin())
                              .put("met", p.met())
                              .put("bound", "learn-then-test, fixed sequence, normal p-values"));
            });
    a.prefixes()
        .ifPresent(
            learnt -> {
              ArrayNode prefixes = body.putArray("prefixes");
              learnt.prefixes().forEach(prefixes::add);
            });
    body.put("clusters", floats(a.clusters()));
    body.put("clusters_count", a.clusters().length);
    writeScorer(body.putObject("scorer"), a.scorer());
    a.tuned()
        .ifPresent(
            tuned -> {
              ObjectNode encoder = body.putObject("tuned_encoder");
              encoder.put("name", tuned.name()).put("base", TunedLayers.BASE.id());
              ArrayNode weights = encoder.putArray("weights");
              tuned
                  .weights()
                  .forEach(
                      (name, values) ->
                          weights
                              .addObject()
                              .put("name", name)
                              .put("values", floats(new float[][] {values})));
            });
    return body;
  }

  private static void writeScorer(ObjectNode scorer, QualityScorer s) {
    scorer.put("kind", s.kind());
    switch (s) {
      case KnnScorer knn -> {
        scorer
            .put("k", knn.k())
            .put("smoothing", knn.smoothing())
            .put("prior", doubles(knn.prior()))
            .put("vectors", floats(knn.vectors()))
            .put("count", knn.vectors().length)
            .put("quality", doubles(knn.quality()));
      }
      case MatrixFactorisation mf -> {
        scorer
            .put("projection", floats(mf.projection()))
            .put("latent", mf.projection().length)
            .put("model_vectors", doubles(mf.modelVectors()))
            .put("bias", doubles(mf.bias()));
      }
      case LogisticScorer logistic ->
          scorer.put("weights", doubles(logistic.weights())).put("bias", doubles(logistic.bias()));
      case MlpScorer mlp ->
          scorer
              .put("hidden_units", mlp.hidden().length)
              .put("hidden", doubles(mlp.hidden()))
              .put("hidden_bias", doubles(mlp.hiddenBias()))
              .put("output", doubles(mlp.output()))
              .put("output_bias", doubles(mlp.outputBias()));
      case BlendScorer blend -> {
        ArrayNode parts = scorer.putArray("parts");
        blend.parts().forEach(part -> writeScorer(parts.addObject(), part));
      }
    }
  }

  private static LearnedArtifact fromBody(JsonNode root, JsonNode body) {
    List<String> models = new ArrayList<>();
    body.path("models").forEach(m -> models.add(m.asText()));
    QualityScorer scorer = readScorer(body.path("scorer"), models);
    Optional<LearnedArtifact.Calibration> calibration = Optional.empty();
    JsonNode c = body.path("calibration");
    if (c.isObject()) {
      calibration =
          Optional.of(
              new LearnedArtifact.Calibration(
                  c.path("strong").asText(),
                  c.path("weak").asText(),
                  c.path("value").asDouble(),
                  c.path("target").asText(),
                  c.path("strong_share").asDouble(),
                  promise(c.path("promise"))));
    }
    int clusters = body.path("clusters_count").asInt();
    return new LearnedArtifact(
        root.path("policy").asText(),
        root.path("embedding_model").asText(),
        root.path("embed").asText(),
        root.path("window").asText(""),
        prefixes(body.path("prefixes")),
        root.path("data_sha256").asText(),
        root.path("data_source").asText(),
        models,
        scorer,
        calibration,
        clusters == 0 ? new float[0][] : toFloats(body.path("clusters"), clusters),
        toDoubles(body.path("output_tokens")),
        tuned(body.path("tuned_encoder")));
  }

  private static Optional<TunedLayers> tuned(JsonNode encoder) {
    if (!encoder.isObject()) {
      return Optional.empty();
    }
    if (!encoder.path("base").asText().equals(TunedLayers.BASE.id())) {
      throw new IllegalArgumentException(
          "its tuned encoder was tuned from '"
              + encoder.path("base").asText()
              + "', this build tunes "
              + TunedLayers.BASE.id());
    }
    Map<String, float[]> weights = new LinkedHashMap<>();
    encoder
        .path("weights")
        .forEach(w -> weights.put(w.path("name").asText(), toFloats(w.path("values"), 1)[0]));
    TunedLayers tuned = new TunedLayers(weights);
    if (!tuned.name().equals(encoder.path("name").asText())) {
      throw new IllegalArgumentException(
          "its tuned encoder's weights do not hash to its name " + encoder.path("name").asText());
    }
    return Optional.of(tuned);
  }

  private static QualityScorer readScorer(JsonNode s, List<String> models) {
    int m = models.size();
    if (s.path("kind").asText().contains("+")) {
      List<QualityScorer> parts = new ArrayList<>();
      s.path("parts").forEach(part -> parts.add(readScorer(part, models)));
      return new BlendScorer(parts);
    }
    return switch (s.path("kind").asText()) {
      case "knn" -> {
        int count = s.path("count").asInt();
        yield new KnnScorer(
            models,
            s.path("k").asInt(),
            s.path("smoothing").asDouble(),
            toDoubles(s.path("prior")),
            toFloats(s.path("vectors"), count),
            toDoubles(s.path("quality"), count));
      }
      case "mf" ->
          new MatrixFactorisation(
              models,
              toFloats(s.path("projection"), s.path("latent").asInt()),
              toDoubles(s.path("model_vectors"), m),
              toDoubles(s.path("bias")));
      case "logistic" ->
          new LogisticScorer(models, toDoubles(s.path("weights"), m), toDoubles(s.path("bias")));
      case "mlp" -> {
        double[] outputBias = toDoubles(s.path("output_bias"));
        yield new MlpScorer(
            models,
            toDoubles(s.path("hidden"), s.path("hidden_units").asInt()),
            toDoubles(s.path("hidden_bias")),
            toDoubles(s.path("output"), outputBias.length), // one row per model per network
            outputBias);
      }
      default ->
          throw new IllegalArgumentException("unknown scorer '" + s.path("kind").asText() + "'");
    };
  }

  /** The prefixes stripped before embedding; absent when the fit kept texts whole. */
  private static Optional<SharedPrefixes> prefixes(JsonNode node) {
    if (!node.isArray()) {
      return Optional.empty();
    }
    List<String> prefixes = new ArrayList<>();
    node.forEach(prefix -> prefixes.add(prefix.asText()));
    return Optional.of(new SharedPrefixes(prefixes));
  }

  private static String floats(float[][] rows) {
    int width = rows.length == 0 ? 0 : rows[0].length;
    ByteBuffer buffer =
        ByteBuffer.allocate(rows.length * width * Float.BYTES).order(ByteOrder.LITTLE_ENDIAN);
    for (float[] row : rows) {
      buffer.asFloatBuffer().put(row);
      buffer.position(buffer.position() + row.length * Float.BYTES);
    }
    return Base64.getEncoder().encodeToString(buffer.array());
  }

  private static float[][] toFloats(JsonNode base64, int rows) {
    FloatBuffer floats =
        ByteBuffer.wrap(bytes(base64)).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer();
    float[] all = new float[floats.remaining()];
    floats.get(all);
    int width = rows == 0 ? 0 : all.length / rows;
    float[][] result = new float[rows][width];
    for (int r = 0; r < rows; r++) {
      System.arraycopy(all, r * width, result[r], 0, width);
    }
    return result;
  }

  private static String doubles(double[] values) {
    return doubles(new double[][] {values});
  }

  private static String doubles(double[][] rows) {
    int width = rows.length == 0 ? 0 : rows[0].length;
    ByteBuffer buffer =
        ByteBuffer.allocate(rows.length * width * Double.BYTES).order(ByteOrder.LITTLE_ENDIAN);
    for (double[] row : rows) {
      for (double v : row) {
        buffer.putDouble(v);
      }
    }
    return Base64.getEncoder().encodeToString(buffer.array());
  }

  private static double[] toDoubles(JsonNode base64) {
    return toDoubles(base64, 1)[0];
  }

  private static double[][] toDoubles(JsonNode base64, int rows) {
    ByteBuffer buffer = ByteBuffer.wrap(bytes(base64)).order(ByteOrder.LITTLE_ENDIAN);
    int width = rows == 0 ? 0 : buffer.remaining() / Double.BYTES / rows;
    double[][] result = new double[rows][width];
    for (double[] row : result) {
      for (int i = 0; i < width; i++) {
        row[i] = buffer.getDouble();
      }
    }
    return result;
  }

  /** A base64 field's bytes, kept as bytes by {@link #readTree} or as text; none if absent. */
  private static byte[] bytes(JsonNode base64) {
    try {
      byte[] bytes = base64.binaryValue();
      return bytes == null ? new byte[0] : bytes;
    } catch (IOException e) {
      throw new IllegalArgumentException("not base64: " + e.getMessage(), e);
    }
  }

  /**
   * The file as a tree whose base64 fields hold their bytes, decoded as they stream in: as text, a
   * kNN store of MMLU's size took about 80 MB at once to read (its characters, a builder and the
   * string), more than the gateway's 144 MB heap had beside the rest, and serving it failed with an
   * OutOfMemoryError (signalbox-bench/run-learned.sh). Written back, bytes are the same base64, so
   * the content hash reads the same.
   */
  private static JsonNode readTree(Path file) throws IOException {
    try (JsonParser parser = JSON.createParser(file.toFile())) {
      return parser.nextToken() == null ? null : readValue(parser);
    }
  }

  private static JsonNode readValue(JsonParser parser) throws IOException {
    switch (parser.currentToken()) {
      case START_OBJECT -> {
        ObjectNode object = JSON.createObjectNode();
        while (parser.nextToken() == JsonToken.FIELD_NAME) {
          String name = parser.currentName();
          JsonToken value = parser.nextToken();
          object.set(
              name,
              value == JsonToken.VALUE_STRING && BASE64_FIELDS.contains(name)
                  ? JSON.getNodeFactory().binaryNode(parser.getBinaryValue())
                  : readValue(parser));
        }
        return object;
      }
      case START_ARRAY -> {
        ArrayNode array = JSON.createArrayNode();
        while (parser.nextToken() != JsonToken.END_ARRAY) {
          array.add(readValue(parser));
        }
        return array;
      }
      default -> {
        return JSON.readTree(parser);
      }
    }
  }

  private static Optional<LearnedArtifact.Promise> promise(JsonNode p) {
    if (!p.isObject()) {
      return Optional.empty();
    }
    return Optional.of(
        new LearnedArtifact.Promise(
            p.path("quality").asDouble(),
            p.path("of").asText(),
            p.path("confidence").asDouble(),
            p.path("prompts").asInt(),
            p.path("margin").asDouble(),
            p.path("met").asBoolean()));
  }
}
