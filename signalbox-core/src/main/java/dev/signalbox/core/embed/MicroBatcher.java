package dev.signalbox.core.embed;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;

/**
 * Runs an encoder on batches of the texts that are waiting: each worker takes the oldest text and,
 * when more are waiting than there are workers, the others up to the batch limit, and answers them
 * all with one call. Alone, a text is encoded at once; under load, requests that queue together
 * share a call. Workers come from the caller's thread factory (platform threads: an encoder call
 * keeps a core busy), one per core.
 */
public final class MicroBatcher {
  private final Function<List<String>, List<float[]>> encode;
  private final int maxBatch;
  private final int workers;
  private final LinkedBlockingQueue<Pending> queue = new LinkedBlockingQueue<>();
  private final AtomicLong calls = new AtomicLong();
  private final AtomicLong texts = new AtomicLong();

  private record Pending(String text, CompletableFuture<float[]> result) {}

  /** How many encoder calls ran, and how many texts they encoded together. */
  public record Stats(long calls, long texts) {}

  MicroBatcher(
      Function<List<String>, List<float[]>> encode,
      int workers,
      int maxBatch,
      ThreadFactory threads) {
    this.encode = encode;
    this.maxBatch = maxBatch;
    this.workers = workers;
    for (int i = 0; i < workers; i++) {
      threads.newThread(this::work).start();
    }
  }

  CompletableFuture<float[]> submit(String text) {
    CompletableFuture<float[]> result = new CompletableFuture<>();
    queue.add(new Pending(text, result));
    return result;
  }

  int queued() {
    return queue.size();
  }

  Stats stats() {
    return new Stats(calls.get(), texts.get());
  }

  private void work() {
    List<Pending> batch = new ArrayList<>(maxBatch);
    while (true) {
      try {
        batch.add(queue.take());
      } catch (InterruptedException e) {
        return;
      }
      // Batch only what the other workers cannot take at once: two texts and two idle cores go
      // faster apart than padded together on one.
      if (queue.size() >= workers) {
        queue.drainTo(batch, maxBatch - 1);
      }
      try {
        List<float[]> vectors = encode.apply(batch.stream().map(Pending::text).toList());
        calls.incrementAndGet();
        texts.addAndGet(batch.size());
        for (int i = 0; i < batch.size(); i++) {
          batch.get(i).result().complete(vectors.get(i));
        }
      } catch (RuntimeException | Error e) {
        batch.forEach(p -> p.result().completeExceptionally(e));
      }
      batch.clear();
    }
  }
}
