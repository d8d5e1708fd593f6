package dev.signalbox.core.learn;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.signalbox.core.text.EmbeddedText;
import dev.signalbox.core.text.SharedPrefixes;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
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
      root = JSON.readTree(file.toFile());
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
    ObjectNode scorer = body.putObject("scorer");
    scorer.put("kind", a.scorer().kind());
    switch (a.scorer()) {
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
    }
    return body;
  }

  private static LearnedArtifact fromBody(JsonNode root, JsonNode body) {
    List<String> models = new ArrayList<>();
    body.path("models").forEach(m -> models.add(m.asText()));
    int m = models.size();
    JsonNode s = body.path("scorer");
    QualityScorer scorer =
        switch (s.path("kind").asText()) {
          case "knn" -> {
            int count = s.path("count").asInt();
            yield new KnnScorer(
                models,
                s.path("k").asInt(),
                s.path("smoothing").asDouble(),
                toDoubles(s.path("prior").asText()),
                toFloats(s.path("vectors").asText(), count),
                toDoubles(s.path("quality").asText(), count));
          }
          case "mf" ->
              new MatrixFactorisation(
                  models,
                  toFloats(s.path("projection").asText(), s.path("latent").asInt()),
                  toDoubles(s.path("model_vectors").asText(), m),
                  toDoubles(s.path("bias").asText()));
          case "logistic" ->
              new LogisticScorer(
                  models,
                  toDoubles(s.path("weights").asText(), m),
                  toDoubles(s.path("bias").asText()));
          default ->
              throw new IllegalArgumentException(
                  "unknown scorer '" + s.path("kind").asText() + "'");
        };
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
        clusters == 0 ? new float[0][] : toFloats(body.path("clusters").asText(), clusters),
        toDoubles(body.path("output_tokens").asText()));
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

  private static float[][] toFloats(String text, int rows) {
    float[] all = EmbeddedText.decode(text);
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

  private static double[] toDoubles(String text) {
    return toDoubles(text, 1)[0];
  }

  private static double[][] toDoubles(String text, int rows) {
    ByteBuffer buffer =
        ByteBuffer.wrap(Base64.getDecoder().decode(text)).order(ByteOrder.LITTLE_ENDIAN);
    int width = rows == 0 ? 0 : buffer.remaining() / Double.BYTES / rows;
    double[][] result = new double[rows][width];
    for (double[] row : result) {
      for (int i = 0; i < width; i++) {
        row[i] = buffer.getDouble();
      }
    }
    return result;
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
