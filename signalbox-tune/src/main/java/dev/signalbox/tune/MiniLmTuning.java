package dev.signalbox.tune;

import dev.signalbox.core.config.ScorerSpec;
import dev.signalbox.core.embed.SentenceEncoder;
import dev.signalbox.core.learn.EncoderTuning;
import dev.signalbox.core.learn.TrainingSet;
import java.util.List;
import java.util.logging.Logger;

/**
 * The scorer {@code tuned}: MiniLM's top two layers and an {@code mlp} head of the route's {@code
 * hidden} units, tuned for at most its {@code epochs} at the rates of the experiment that chose
 * them (docs/results/finetune-20261205/).
 */
public final class MiniLmTuning implements EncoderTuning {
  private static final Logger LOG = Logger.getLogger(MiniLmTuning.class.getName());

  @Override
  public Tuned tune(TrainingSet data, ScorerSpec spec, long seed) {
    if (data.texts().isEmpty()) {
      throw new IllegalArgumentException("the scorer 'tuned' needs the training prompts' texts");
    }
    SentenceEncoder tokens = SentenceEncoder.shared(EncoderTuner.BASE);
    List<long[]> pieces = data.texts().stream().map(tokens::pieces).toList();
    TunedEncoder tuned =
        EncoderTuner.tune(
            pieces,
            data.quality(),
            data.models(),
            EncoderTuner.Settings.DEFAULT.withHead(spec.hidden(), spec.epochs()),
            seed,
            line -> LOG.info("tuning the encoder: " + line));
    return new Tuned(tuned.layers(), tuned.head());
  }
}
