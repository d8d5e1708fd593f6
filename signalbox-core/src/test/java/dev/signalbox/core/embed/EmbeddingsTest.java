package dev.signalbox.core.embed;

import static org.assertj.core.api.Assertions.assertThat;

import dev.signalbox.core.TestConfigs;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EmbeddingsTest {
  @Test
  void theRealModelPutsParaphrasesTogetherAndUnrelatedTextApart() {
    Embeddings embeddings = TestConfigs.embeddings().get();
    float[] a = embeddings.embed("How do I reset my password?");
    float[] b = embeddings.embed("I forgot my password, how can I change it?");
    float[] c = embeddings.embed("The mitochondria is the powerhouse of the cell.");
    assertThat(a).hasSize(SentenceEncoder.DIMENSIONS);
    assertThat(Vectors.dot(a, a)).isCloseTo(1f, org.assertj.core.data.Offset.offset(1e-4f));
    assertThat(Vectors.dot(a, b)).isGreaterThan(0.6f);
    assertThat(Vectors.dot(a, c)).isLessThan(0.2f);
    assertThat(embeddings.embed("How do I reset my password?")).isSameAs(a);
  }

  @Test
  void theSecondEncoderLoadsFromItsJarAndPutsParaphrasesNearerThanOtherTopics() {
    Embeddings e5 = Embeddings.offlineOnDemand(EncoderModel.E5_SMALL).get();
    float[] a = e5.embed("How do I reset my password?");
    float[] b = e5.embed("I forgot my password, how can I change it?");
    float[] c = e5.embed("The mitochondria is the powerhouse of the cell.");

    assertThat(e5.modelId())
        .isEqualTo(EncoderModel.E5_SMALL.id())
        .isNotEqualTo(SentenceEncoder.MODEL_ID);
    assertThat(a).hasSize(SentenceEncoder.DIMENSIONS);
    assertThat(Vectors.dot(a, a)).isCloseTo(1f, org.assertj.core.data.Offset.offset(1e-4f));
    // e5's cosines sit high for any two texts; the order is what matters.
    assertThat(Vectors.dot(a, b)).isGreaterThan(Vectors.dot(a, c) + 0.1f);
    assertThat(EncoderModel.named("e5-small")).isEqualTo(EncoderModel.E5_SMALL);
    assertThat(EncoderModel.byId(SentenceEncoder.MODEL_ID)).contains(EncoderModel.MINILM);
  }

  @Test
  void aBatchGivesNearlyTheVectorsOfOneAtATimeAndOneAtATimeIsExact() {
    // The quantized model scales activations over the whole batch, so batch mates move a vector a
    // little: serving may batch (the trace keeps the vector), offline runs never do.
    SentenceEncoder encoder = SentenceEncoder.load();
    List<String> texts =
        List.of("short", "a somewhat longer sentence about routing language models", "x y z");
    List<float[]> batched = encoder.encode(texts);
    for (int i = 0; i < texts.size(); i++) {
      float[] alone = encoder.encode(texts.get(i));
      assertThat(Vectors.dot(batched.get(i), alone)).isGreaterThan(0.98f);
      assertThat(encoder.encode(texts.get(i))).containsExactly(alone);
    }
    assertThat(encoder.wordPieces("word ".repeat(1000)))
        .isEqualTo(EncoderModel.MINILM.maxWordPieces());
    encoder.close();
  }

  @Test
  void theShortReadingOfMiniLmReadsHalfAsFarAndGivesTheDefaultsVectorsBelowItsCap() {
    SentenceEncoder full = SentenceEncoder.shared(EncoderModel.MINILM);
    SentenceEncoder shorter = SentenceEncoder.shared(EncoderModel.MINILM_128);
    String question = "Which of these enzymes breaks down starch into sugars?";
    String passage = "The reading passage goes on about history and trade routes. ".repeat(30);

    assertThat(shorter.sharesSessionWith(full)).isTrue();
    assertThat(shorter.wordPieces(passage)).isEqualTo(128);
    assertThat(full.wordPieces(passage)).isEqualTo(256);
    assertThat(shorter.encode(question)).containsExactly(full.encode(question));
    assertThat(Vectors.dot(shorter.encode(passage + question), full.encode(passage + question)))
        .isLessThan(0.9999f);
    assertThat(EncoderModel.named("minilm-128")).isEqualTo(EncoderModel.MINILM_128);
    assertThat(EncoderModel.byId(EncoderModel.MINILM_128.id())).contains(EncoderModel.MINILM_128);
  }

  @Test
  void everyEncoderKeepsItsVectorsInAFileOfItsOwn(@TempDir Path folder) throws IOException {
    for (EncoderModel model : EncoderModel.ALL) {
      EmbeddingFile.open(folder, model.id(), SentenceEncoder.DIMENSIONS).close();
    }
    try (Stream<Path> files = Files.list(folder)) {
      assertThat(files.count()).isEqualTo(EncoderModel.ALL.size());
    }
  }

  @Test
  void requestsThatWaitTogetherShareOneCallAndIdenticalTextsAreComputedOnce() throws Exception {
    CountDownLatch firstCallStarted = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    AtomicInteger encoded = new AtomicInteger();
    Embeddings embeddings =
        new Embeddings(
            "fake",
            texts -> {
              firstCallStarted.countDown();
              try {
                release.await();
              } catch (InterruptedException e) {
                throw new IllegalStateException(e);
              }
              encoded.addAndGet(texts.size());
              return texts.stream().map(t -> new float[] {t.length()}).toList();
            },
            1,
            16,
            Thread.ofPlatform().daemon().factory());
    try (var pool = Executors.newVirtualThreadPerTaskExecutor()) {
      Future<float[]> first = pool.submit(() -> embeddings.embed("first"));
      firstCallStarted.await();
      List<Future<float[]>> waiting = new ArrayList<>();
      for (int i = 0; i < 10; i++) {
        String text = "text " + (i % 5);
        waiting.add(pool.submit(() -> embeddings.embed(text)));
      }
      while (embeddings.queued() < 5) {
        Thread.onSpinWait();
      }
      release.countDown();
      assertThat(first.get()[0]).isEqualTo(5f);
      for (Future<float[]> f : waiting) {
        assertThat(f.get()[0]).isEqualTo(6f);
      }
    }
    assertThat(encoded.get()).isEqualTo(6);
    assertThat(embeddings.batchStats().calls()).isEqualTo(2);
  }

  @Test
  void theFileKeepsVectorsAcrossRuns(@TempDir Path dir) {
    AtomicInteger encoded = new AtomicInteger();
    java.util.function.Function<List<String>, List<float[]>> encode =
        texts -> {
          encoded.addAndGet(texts.size());
          return texts.stream().map(t -> new float[] {t.length(), 1}).toList();
        };
    try (EmbeddingFile file = EmbeddingFile.open(dir, "fake", 2)) {
      Embeddings.over("fake", encode).persistTo(file).embedAll(List.of("a", "bb", "a"));
    }
    assertThat(encoded.get()).isEqualTo(2);
    try (EmbeddingFile file = EmbeddingFile.open(dir, "fake", 2)) {
      assertThat(file.size()).isEqualTo(2);
      assertThat(Embeddings.over("fake", encode).persistTo(file).embed("bb"))
          .containsExactly(2f, 1f);
    }
    assertThat(encoded.get()).isEqualTo(2);
  }
}
