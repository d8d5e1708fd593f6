package dev.signalbox.core.text;

import dev.signalbox.core.embed.EncoderModel;
import dev.signalbox.core.embed.TextEmbedder;
import dev.signalbox.core.embed.TunedEncoders;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * What a request's signals are computed with: the token counter, and the embeddings, asked for only
 * when a route reads one (so a model loads only then): the default encoder's, those of the other
 * encoders a route may name, and those of the tuned encoders learned artifacts carry ({@link
 * TunedEncoders}), made by {@code tuned} the first time one is read.
 */
public record SignalSources(
    TokenCounter tokens,
    Supplier<? extends TextEmbedder> embeddings,
    Map<String, Supplier<? extends TextEmbedder>> others,
    Function<EncoderModel, Supplier<? extends TextEmbedder>> tuned) {
  public SignalSources {
    others = Map.copyOf(others);
  }

  public SignalSources(
      TokenCounter tokens,
      Supplier<? extends TextEmbedder> embeddings,
      Map<String, Supplier<? extends TextEmbedder>> others) {
    this(tokens, embeddings, others, SignalSources::noTunedEncoders);
  }

  public SignalSources(TokenCounter tokens, Supplier<? extends TextEmbedder> embeddings) {
    this(tokens, embeddings, Map.of());
  }

  private static Supplier<? extends TextEmbedder> noTunedEncoders(EncoderModel model) {
    throw new IllegalStateException("no embeddings of tuned encoders here (" + model.name() + ")");
  }

  /** Sources with every encoder's embeddings, made by {@code embeddings} (loaded on first use). */
  public static SignalSources everyEncoder(
      TokenCounter tokens, Function<EncoderModel, Supplier<? extends TextEmbedder>> embeddings) {
    Map<String, Supplier<? extends TextEmbedder>> tuned = new ConcurrentHashMap<>();
    SignalSources sources =
        new SignalSources(
            tokens,
            embeddings.apply(EncoderModel.MINILM),
            Map.of(),
            model -> tuned.computeIfAbsent(model.name(), name -> embeddings.apply(model)));
    for (EncoderModel encoder : EncoderModel.ALL) {
      // Identity, not the record's equals, whose first call spins its method handles (12 ms of a
      // start).
      if (encoder != EncoderModel.MINILM) {
        sources = sources.withEncoder(encoder.name(), embeddings.apply(encoder));
      }
    }
    return sources;
  }

  /** These sources, with {@code encoder}'s embeddings too. */
  public SignalSources withEncoder(String encoder, Supplier<? extends TextEmbedder> embeddings) {
    Map<String, Supplier<? extends TextEmbedder>> more = new HashMap<>(others);
    more.put(encoder, embeddings);
    return new SignalSources(tokens, this.embeddings, more, this.tuned);
  }

  /**
   * The embeddings of the encoder named ({@link EncoderModel#name}; empty or the default's name:
   * {@link #embeddings()}); one these sources were not given is refused, never replaced.
   */
  public Supplier<? extends TextEmbedder> embeddings(String encoder) {
    if (EncoderModel.isDefault(encoder)) {
      return embeddings;
    }
    Supplier<? extends TextEmbedder> other = others.get(encoder);
    if (other == null) {
      other = TunedEncoders.named(encoder).map(layers -> tuned.apply(layers.model())).orElse(null);
    }
    if (other == null) {
      throw new IllegalStateException("no embeddings of encoder '" + encoder + "' here");
    }
    return other;
  }

  /**
   * Token counting only: reading an embedding is a mistake (a route that reads one needs real
   * ones).
   */
  public static SignalSources tokensOnly(TokenCounter tokens) {
    return new SignalSources(
        tokens,
        () -> {
          throw new IllegalStateException("no embeddings here: give the signals an embedder");
        });
  }
}
