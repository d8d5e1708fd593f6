package dev.signalbox.core.embed;

import com.github.benmanes.caffeine.cache.AsyncCache;
import com.github.benmanes.caffeine.cache.Caffeine;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import java.util.function.Supplier;
import java.util.logging.Logger;

/**
 * Sentence embeddings as routing reads them: cached by the text's content hash (an identical text
 * is computed once, even when requests ask for it at the same moment), computed on a {@link
 * MicroBatcher}'s workers, and backed by an optional {@link EmbeddingFile} so offline runs compute
 * each prompt once across runs.
 */
public final class Embeddings implements TextEmbedder {
  private static final int CACHE_ENTRIES = 20_000;

  /**
   * Texts per model call when serving: one. A batch runs padded to its longest text, and real
   * prompts differ in length, so on a CPU a batch costs more per text than the texts alone: 512
   * MMLU prompts took 28-34 ms each alone, 68-83 ms each in batches of 8 as they came, 39-47 ms
   * each in batches of similar length (one core, 2026-12-03; the README's "A learned route under
   * load"). Under load, batching made each text dearer just as texts queued, and the queue grew.
   */
  private static final int SERVING_BATCH = 1;

  private final String modelId;
  private static final Logger LOG = Logger.getLogger(Embeddings.class.getName());

  /** Batches at least this large say what they are doing: embedding thousands takes minutes. */
  private static final int ANNOUNCED_BATCH = 1_000;

  private final MicroBatcher batcher;
  private final AtomicLong computed = new AtomicLong();
  private final AsyncCache<String, float[]> cache;
  private volatile EmbeddingFile file;

  Embeddings(
      String modelId,
      Function<List<String>, List<float[]>> encode,
      int workers,
      int maxBatch,
      ThreadFactory threads) {
    this.modelId = modelId;
    this.batcher = new MicroBatcher(encode, workers, maxBatch, threads);
    this.cache = Caffeine.newBuilder().maximumSize(CACHE_ENTRIES).buildAsync();
  }

  /**
   * The embeddings a gateway serves with: one text per model call (see {@link #SERVING_BATCH}), on
   * one worker per core made by {@code threads}, so a served vector is the text's lone vector, as
   * training computed it.
   */
  public static Embeddings serving(SentenceEncoder encoder, ThreadFactory threads) {
    return new Embeddings(encoder.model().id(), encoder::encode, cores(), SERVING_BATCH, threads);
  }

  /**
   * Embeddings one text per model call, so every vector is a function of its text alone: for eval
   * and train.
   */
  public static Embeddings offline(SentenceEncoder encoder, ThreadFactory threads) {
    return new Embeddings(encoder.model().id(), encoder::encode, cores(), 1, threads);
  }

  /**
   * Serving embeddings made when first asked for (a gateway without learned routes never loads the
   * model), on daemon worker threads.
   */
  public static Supplier<TextEmbedder> servingOnDemand() {
    return servingOnDemand(EncoderModel.MINILM);
  }

  public static Supplier<TextEmbedder> servingOnDemand(EncoderModel model) {
    return onDemand(() -> serving(SentenceEncoder.shared(model), Embeddings::daemon));
  }

  /** Offline embeddings made when first asked for, as {@link #servingOnDemand} is. */
  public static Supplier<Embeddings> offlineOnDemand() {
    return offlineOnDemand(EncoderModel.MINILM);
  }

  public static Supplier<Embeddings> offlineOnDemand(EncoderModel model) {
    return onDemand(() -> offline(SentenceEncoder.shared(model), Embeddings::daemon));
  }

  private static <T> Supplier<T> onDemand(Supplier<T> make) {
    return new Supplier<>() {
      private T made;

      @Override
      public synchronized T get() {
        if (made == null) {
          made = make.get();
        }
        return made;
      }
    };
  }

  private static Thread daemon(Runnable work) {
    Thread thread = new Thread(work, "signalbox-embed");
    thread.setDaemon(true);
    return thread;
  }

  private static int cores() {
    return Math.max(1, Runtime.getRuntime().availableProcessors());
  }

  /** Embeddings over any encoder, for tests of what is built on them. */
  public static Embeddings over(String modelId, Function<List<String>, List<float[]>> encode) {
    return new Embeddings(modelId, encode, 2, 16, Embeddings::daemon);
  }

  /** Keep computed vectors in {@code file} as well, and read the ones it already has. */
  public Embeddings persistTo(EmbeddingFile file) {
    this.file = file;
    return this;
  }

  @Override
  public String modelId() {
    return modelId;
  }

  @Override
  public float[] embed(String text) {
    String key = contentHash(text);
    CompletableFuture<float[]> known = cache.getIfPresent(key);
    if (known != null && known.isDone() && !known.isCompletedExceptionally()) {
      return known.join();
    }
    return await(cache.get(key, (k, executor) -> compute(k, text)));
  }

  @Override
  public List<float[]> embedAll(List<String> texts) {
    boolean announced = texts.size() >= ANNOUNCED_BATCH;
    long started = System.nanoTime();
    long computedBefore = computed.get();
    if (announced) {
      LOG.info(
          String.format(
              Locale.ROOT,
              "embedding %,d texts with %s (vectors cached earlier are reused)",
              texts.size(),
              modelId));
    }
    List<CompletableFuture<float[]>> pending = new ArrayList<>(texts.size());
    for (String text : texts) {
      pending.add(cache.get(contentHash(text), (k, executor) -> compute(k, text)));
    }
    List<float[]> vectors = new ArrayList<>(texts.size());
    for (CompletableFuture<float[]> future : pending) {
      vectors.add(await(future));
    }
    if (announced) {
      long fresh = computed.get() - computedBefore;
      LOG.info(
          String.format(
              Locale.ROOT,
              "embedded %,d texts in %.1f s (cache: %,d hits, %,d computed)",
              texts.size(),
              (System.nanoTime() - started) / 1e9,
              texts.size() - fresh,
              fresh));
    }
    return vectors;
  }

  private CompletableFuture<float[]> compute(String key, String text) {
    EmbeddingFile stored = file;
    if (stored != null) {
      float[] vector = stored.get(key);
      if (vector != null) {
        return CompletableFuture.completedFuture(vector);
      }
    }
    computed.incrementAndGet();
    CompletableFuture<float[]> future = batcher.submit(text);
    return stored == null
        ? future
        : future.thenApply(
            vector -> {
              stored.put(key, vector);
              return vector;
            });
  }

  private static float[] await(CompletableFuture<float[]> future) {
    try {
      return future.get();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while embedding", e);
    } catch (ExecutionException e) {
      throw e.getCause() instanceof RuntimeException r
          ? r
          : new IllegalStateException(e.getCause());
    }
  }

  /** The cache key of a text: 128 bits of its SHA-256, in hex. */
  public static String contentHash(String text) {
    try {
      byte[] digest =
          MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
      return HexFormat.of().formatHex(digest, 0, 16);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JVM has SHA-256", e);
    }
  }

  /**
   * How many model calls ran and how many texts they held, for the micro-batching test and
   * benchmark.
   */
  int queued() {
    return batcher.queued();
  }

  public MicroBatcher.Stats batchStats() {
    return batcher.stats();
  }
}
