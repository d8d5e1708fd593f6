package dev.signalbox.core.embed;

import ai.djl.huggingface.tokenizers.Encoding;
import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.LongBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A sentence encoder ({@link EncoderModel}: all-MiniLM-L6-v2 by default, or e5-small-v2; quantized
 * ONNX from the langchain4j model jars) run in process: word pieces from the model's own tokenizer,
 * truncated to the model's {@link EncoderModel#maxWordPieces}, mean-pooled over the attention mask
 * and L2-normalised, so a dot product is the cosine. One intra-op thread per call: on a small
 * machine concurrent callers get more throughput from whole cores than from a split one.
 * Thread-safe. {@link #shared} reads the model once per JVM: ONNX Runtime's environment is one per
 * process anyway, and the model's 64 MB are read-only.
 */
public final class SentenceEncoder implements AutoCloseable {
  /** The model's id as artifacts record it: an artifact fitted on other vectors is refused. */
  public static final String MODEL_ID = EncoderModel.MINILM.id();

  public static final int DIMENSIONS = 384;

  private final EncoderModel model;
  private final OrtEnvironment environment;
  private final OrtSession session;
  private final HuggingFaceTokenizer tokenizer;
  private final boolean wantsTypeIds;

  private SentenceEncoder(
      EncoderModel model,
      OrtEnvironment environment,
      OrtSession session,
      HuggingFaceTokenizer tokenizer) {
    this.model = model;
    this.environment = environment;
    this.session = session;
    this.tokenizer = tokenizer;
    this.wantsTypeIds = session.getInputNames().contains("token_type_ids");
  }

  private static final Map<EncoderModel, SentenceEncoder> SHARED = new HashMap<>();

  /** The default model, read once per JVM on first use. */
  public static SentenceEncoder shared() {
    return shared(EncoderModel.MINILM);
  }

  /**
   * {@code model}, read once per JVM on first use. Encoders of one ONNX file (MiniLM at 256 and at
   * 128 word pieces) share its session, each with its own tokenizer: the model is loaded once. A
   * tuned encoder has a session of its own: its weights are not the file's.
   */
  public static synchronized SentenceEncoder shared(EncoderModel model) {
    SentenceEncoder known = SHARED.get(model);
    if (known != null) {
      return known;
    }
    SentenceEncoder made =
        SHARED.values().stream()
            .filter(other -> other.model.modelResource().equals(model.modelResource()))
            .filter(other -> !TunedEncoders.isTuned(model) && !TunedEncoders.isTuned(other.model))
            .findFirst()
            .map(other -> other.reading(model))
            .orElseGet(() -> load(model));
    SHARED.put(model, made);
    return made;
  }

  /** An encoder of {@code other}, which runs this one's model file, on this one's session. */
  private SentenceEncoder reading(EncoderModel other) {
    try {
      return new SentenceEncoder(other, environment, session, tokenizer(other));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Whether this encoder and {@code other} run one loaded model. */
  boolean sharesSessionWith(SentenceEncoder other) {
    return session == other.session;
  }

  public static SentenceEncoder load() {
    return load(EncoderModel.MINILM);
  }

  /** Loads a model and its tokenizer from the class path; about a second and 64 MB of heap. */
  public static SentenceEncoder load(EncoderModel model) {
    Optional<TunedLayers> tuned = TunedEncoders.named(model.name());
    if (tuned.isPresent()) {
      return loadTuned(model, tuned.get());
    }
    try {
      return load(model, resource(model.modelResource()));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * {@code model}'s tokenizer from the class path with the ONNX model {@code onnx} (its file's
   * bytes: a model whose weights were tuned from the class path's).
   */
  public static SentenceEncoder load(EncoderModel model, byte[] onnx) {
    return load(model, (environment, options) -> environment.createSession(onnx, options));
  }

  /**
   * A tuned encoder, its ONNX file written to a temporary file that ONNX Runtime reads and that is
   * deleted once loaded: its bytes never pass through the heap (measured: a gateway of 144 MB ran
   * out of heap making the tuned model's bytes in memory, build/check-image.sh).
   */
  private static SentenceEncoder loadTuned(EncoderModel model, TunedLayers layers) {
    Path file = null;
    try {
      file = Files.createTempFile("signalbox-" + layers.name() + "-", ".onnx");
      layers.writeOnnx(file);
      String path = file.toString();
      return load(model, (environment, options) -> environment.createSession(path, options));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } finally {
      if (file != null) {
        try {
          Files.deleteIfExists(file);
        } catch (IOException e) {
          file.toFile().deleteOnExit();
        }
      }
    }
  }

  /** How ONNX Runtime makes a session: from bytes or from a file. */
  @FunctionalInterface
  private interface SessionSource {
    OrtSession open(OrtEnvironment environment, OrtSession.SessionOptions options)
        throws OrtException;
  }

  private static SentenceEncoder load(EncoderModel model, SessionSource source) {
    try {
      // The tokenizer's native library loads before ONNX Runtime's: the other way round, with some
      // class path orders, the process dies in native code (measured: exit 139, no error file).
      HuggingFaceTokenizer tokenizer = tokenizer(model);
      OrtEnvironment environment = OrtEnvironment.getEnvironment();
      // No events sent off the machine, in a process started without ORT_DISABLE_TELEMETRY (which
      // the launcher and the image set: only it stops the telemetry client from starting).
      environment.setTelemetry(false);
      OrtSession.SessionOptions options = new OrtSession.SessionOptions();
      options.setIntraOpNumThreads(1);
      options.setInterOpNumThreads(1);
      options.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.ALL_OPT);
      OrtSession session = source.open(environment, options);
      return new SentenceEncoder(model, environment, session, tokenizer);
    } catch (OrtException e) {
      throw new IllegalStateException("cannot load the embedding model: " + e.getMessage(), e);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static HuggingFaceTokenizer tokenizer(EncoderModel model) throws IOException {
    Map<String, String> options = new HashMap<>();
    options.put("maxLength", Integer.toString(model.maxWordPieces()));
    options.put("truncation", "true");
    options.put("padding", "false");
    String resource = model.tokenizerResource();
    try (InputStream in = SentenceEncoder.class.getResourceAsStream(resource)) {
      if (in == null) {
        throw new IllegalStateException("the tokenizer " + resource + " is not on the class path");
      }
      return HuggingFaceTokenizer.newInstance(in, options);
    }
  }

  static byte[] resource(String name) throws IOException {
    try (InputStream in = resourceStream(name)) {
      return in.readAllBytes();
    }
  }

  static InputStream resourceStream(String name) {
    InputStream in = SentenceEncoder.class.getResourceAsStream(name);
    if (in == null) {
      throw new IllegalStateException("the embedding model " + name + " is not on the class path");
    }
    return in;
  }

  /**
   * The start of a long text, cut after a whitespace: the tokenizer splits the whole text before
   * truncating it, so a 4,000-token prompt would cost its whole length for the 256 word pieces read
   * (measured: 2.3 ms more than a 500-token prompt with the cut at 8,192 characters, 0.1 ms at
   * 3,072; docs/results/embedding-length-20261203.txt).
   */
  static String readable(String text, int readChars) {
    if (text.length() <= readChars) {
      return text;
    }
    int end = readChars;
    while (end > readChars / 2 && !Character.isWhitespace(text.charAt(end - 1))) {
      end--;
    }
    return text.substring(0, end);
  }

  public EncoderModel model() {
    return model;
  }

  /**
   * The word pieces the model reads of {@code text}, special tokens included: what {@link #encode}
   * gives the model.
   */
  public long[] pieces(String text) {
    return tokenizer.encode(model.inputPrefix() + readable(text, model.readChars())).getIds();
  }

  /** How many word pieces the model reads of {@code text}, special tokens included. */
  public int wordPieces(String text) {
    return tokenizer.encode(text).getIds().length;
  }

  public float[] encode(String text) {
    return encode(List.of(text)).get(0);
  }

  /** One vector per text, in order; the batch runs as one call padded to its longest text. */
  public List<float[]> encode(List<String> texts) {
    int batch = texts.size();
    Encoding[] encodings = new Encoding[batch];
    int longest = 1;
    for (int i = 0; i < batch; i++) {
      encodings[i] =
          tokenizer.encode(model.inputPrefix() + readable(texts.get(i), model.readChars()));
      longest = Math.max(longest, encodings[i].getIds().length);
    }
    long[] ids = new long[batch * longest];
    long[] mask = new long[batch * longest];
    long[] types = new long[batch * longest];
    for (int i = 0; i < batch; i++) {
      long[] pieceIds = encodings[i].getIds();
      System.arraycopy(pieceIds, 0, ids, i * longest, pieceIds.length);
      System.arraycopy(encodings[i].getAttentionMask(), 0, mask, i * longest, pieceIds.length);
      System.arraycopy(encodings[i].getTypeIds(), 0, types, i * longest, pieceIds.length);
    }
    long[] shape = {batch, longest};
    try (OnnxTensor idTensor = OnnxTensor.createTensor(environment, LongBuffer.wrap(ids), shape);
        OnnxTensor maskTensor = OnnxTensor.createTensor(environment, LongBuffer.wrap(mask), shape);
        OnnxTensor typeTensor =
            OnnxTensor.createTensor(environment, LongBuffer.wrap(types), shape)) {
      Map<String, OnnxTensor> inputs = new HashMap<>();
      inputs.put("input_ids", idTensor);
      inputs.put("attention_mask", maskTensor);
      if (wantsTypeIds) {
        inputs.put("token_type_ids", typeTensor);
      }
      try (OrtSession.Result result = session.run(inputs)) {
        float[][][] hidden = (float[][][]) result.get(0).getValue();
        return meanPooled(hidden, mask, longest);
      }
    } catch (OrtException e) {
      throw new IllegalStateException("the embedding model failed: " + e.getMessage(), e);
    }
  }

  private static List<float[]> meanPooled(float[][][] hidden, long[] mask, int longest) {
    float[][] vectors = new float[hidden.length][];
    for (int i = 0; i < hidden.length; i++) {
      float[] sum = new float[hidden[i][0].length];
      int count = 0;
      for (int t = 0; t < longest; t++) {
        if (mask[i * longest + t] == 0) {
          continue;
        }
        count++;
        float[] token = hidden[i][t];
        for (int d = 0; d < sum.length; d++) {
          sum[d] += token[d];
        }
      }
      for (int d = 0; d < sum.length; d++) {
        sum[d] /= Math.max(count, 1);
      }
      vectors[i] = Vectors.normalised(sum);
    }
    return List.of(vectors);
  }

  @Override
  public void close() {
    try {
      session.close();
    } catch (OrtException e) {
      throw new IllegalStateException(e);
    }
    tokenizer.close();
  }
}
