package dev.signalbox.core.learn;

import dev.signalbox.core.config.DomainSpec;
import dev.signalbox.core.embed.NearestNeighbours;
import dev.signalbox.core.embed.TextEmbedder;
import dev.signalbox.core.embed.Vectors;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * A kNN vote over labelled exemplars (vLLM Semantic Router's domain classification, done with the
 * gateway's own embeddings): the k nearest exemplars by cosine vote with their similarity; the
 * winner's share of the vote is its confidence, and below the threshold there is no domain.
 */
public final class DomainClassifier {
  private final int k;
  private final double minConfidence;
  private final float[][] vectors;
  private final NearestNeighbours search;
  private final String[] labels;

  /** The verdict: the domain (empty below the threshold), its confidence, and every vote. */
  public record Verdict(Optional<String> domain, double confidence, Map<String, Double> votes) {}

  public DomainClassifier(DomainSpec spec, TextEmbedder embedder) {
    this.k = spec.k();
    this.minConfidence = spec.minConfidence();
    List<String> texts = new ArrayList<>();
    List<String> names = new ArrayList<>();
    new TreeMap<>(spec.exemplars())
        .forEach(
            (domain, examples) ->
                examples.forEach(
                    text -> {
                      texts.add(text);
                      names.add(domain);
                    }));
    this.vectors = embedder.embedAll(texts).toArray(new float[0][]);
    this.search = NearestNeighbours.over(vectors);
    this.labels = names.toArray(new String[0]);
  }

  public Verdict classify(float[] embedding) {
    Map<String, Double> votes = new LinkedHashMap<>();
    double total = 0;
    for (int i : search.nearest(embedding, k)) {
      double weight = Math.max(0, Vectors.dot(embedding, vectors[i]));
      votes.merge(labels[i], weight, Double::sum);
      total += weight;
    }
    String best = null;
    for (Map.Entry<String, Double> vote : votes.entrySet()) {
      if (best == null || vote.getValue() > votes.get(best)) {
        best = vote.getKey();
      }
    }
    double confidence = total > 0 && best != null ? votes.get(best) / total : 0;
    return new Verdict(
        confidence >= minConfidence ? Optional.ofNullable(best) : Optional.empty(),
        confidence,
        votes);
  }
}
