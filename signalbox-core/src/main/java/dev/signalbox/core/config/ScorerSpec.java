package dev.signalbox.core.config;

/**
 * A learned route's quality scorer and its settings.
 *
 * @param kind {@code knn}, {@code mf}, {@code logistic}, {@code mlp}, or a blend: {@code knn+mlp},
 *     {@code knn+logistic} or {@code knn+mlp+logistic} (each part fitted, their predictions
 *     averaged; each part reads its own settings below, {@code epochs} shared by the last two); or
 *     {@code tuned}: the encoder's top two layers fine-tuned with an {@code mlp} head of {@code
 *     hidden} units on the outcomes, for at most {@code epochs} epochs, the one of least loss on a
 *     held-out tenth kept (it needs {@code signalbox-tune}, which the launcher carries); or {@code
 *     tuned+knn}: that head's predictions averaged with a {@code knn} vote over the tuned encoder's
 *     vectors of the training prompts
 * @param k the neighbours {@code knn} averages
 * @param smoothing the pseudo-prompts of the model's prior {@code knn} adds
 * @param latent the latent dimensions of {@code mf}
 * @param epochs passes over the data for {@code mf}, {@code logistic} and {@code mlp}
 * @param hidden the hidden units of {@code mlp}
 * @param members the networks {@code mlp} fits from different seeds and averages
 */
public record ScorerSpec(
    @Default("knn")
        @OneOf({
          "knn",
          "mf",
          "logistic",
          "mlp",
          "knn+mlp",
          "knn+logistic",
          "knn+mlp+logistic",
          "tuned",
          "tuned+knn"
        })
        String kind,
    @Default("40") @Range(min = 1, max = 10_000) int k,
    @Default("4") @Range(min = 0, max = 1e6) double smoothing,
    @Default("16") @Range(min = 1, max = 1024) int latent,
    @Default("8") @Range(min = 1, max = 1000) int epochs,
    @Default("64") @Range(min = 1, max = 1024) int hidden,
    @Default("1") @Range(min = 1, max = 100) int members) {
  public static final ScorerSpec DEFAULT = new ScorerSpec("knn", 40, 4, 16, 8, 64, 1);
}
