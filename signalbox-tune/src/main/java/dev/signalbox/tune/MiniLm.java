package dev.signalbox.tune;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import dev.signalbox.core.embed.OnnxModel;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * all-MiniLM-L6-v2's forward pass in PyTorch (through DJL), on the weights of the ONNX file the
 * gateway runs, named as that file names them so tuned weights go back where they came from: a BERT
 * of 6 layers, 384 wide, 12 heads, post-layer-norm, exact GELU (Wang et al., 2020; the
 * sentence-transformers model card). The embedding table is read in Java: it is never tuned, and a
 * lookup is cheaper there than a gather in the engine.
 */
final class MiniLm {
  static final int HIDDEN = 384;
  static final int HEADS = 12;
  static final int LAYERS = 6;
  private static final float LAYER_NORM_EPSILON = 1e-12f;
  private static final float MASKED = -10_000f;

  /**
   * One layer's parameters by their names in the ONNX file, in a fixed order: weight and bias of
   * query, key, value, attention output, inner and outer feed-forward; then the two layer norms'.
   */
  record Layer(Map<String, NDArray> parameters, List<String> order) {
    NDArray get(int i) {
      return parameters.get(order.get(i));
    }
  }

  private final float[] words;
  private final float[] positions;
  private final float[] tokenType;
  private final NDArray embeddingNormWeight;
  private final NDArray embeddingNormBias;
  private final List<Layer> layers;

  private MiniLm(
      float[] words,
      float[] positions,
      float[] tokenType,
      NDArray embeddingNormWeight,
      NDArray embeddingNormBias,
      List<Layer> layers) {
    this.words = words;
    this.positions = positions;
    this.tokenType = tokenType;
    this.embeddingNormWeight = embeddingNormWeight;
    this.embeddingNormBias = embeddingNormBias;
    this.layers = layers;
  }

  static MiniLm load(OnnxModel model, NDManager manager) {
    Map<String, String> weightOf = model.weightOfBias();
    List<Layer> layers = new ArrayList<>();
    for (int i = 0; i < LAYERS; i++) {
      String prefix = "encoder.layer." + i + ".";
      List<String> order = new ArrayList<>();
      for (String linear :
          List.of(
              "attention.self.query",
              "attention.self.key",
              "attention.self.value",
              "attention.output.dense",
              "intermediate.dense",
              "output.dense")) {
        String bias = prefix + linear + ".bias";
        String weight = weightOf.get(bias);
        if (weight == null) {
          throw new IllegalArgumentException("no MatMul feeds the bias " + bias);
        }
        order.add(weight);
        order.add(bias);
      }
      for (String norm : List.of("attention.output.LayerNorm", "output.LayerNorm")) {
        order.add(prefix + norm + ".weight");
        order.add(prefix + norm + ".bias");
      }
      Map<String, NDArray> parameters = new LinkedHashMap<>();
      for (String name : order) {
        parameters.put(name, array(model, name, manager));
      }
      layers.add(new Layer(parameters, List.copyOf(order)));
    }
    return new MiniLm(
        model.floats("embeddings.word_embeddings.weight"),
        model.floats("embeddings.position_embeddings.weight"),
        model.floats("embeddings.token_type_embeddings.weight"),
        array(model, "embeddings.LayerNorm.weight", manager),
        array(model, "embeddings.LayerNorm.bias", manager),
        layers);
  }

  private static NDArray array(OnnxModel model, String name, NDManager manager) {
    long[] dims = model.initializer(name).dims().stream().mapToLong(Long::longValue).toArray();
    return manager.create(model.floats(name), new Shape(dims));
  }

  Layer layer(int i) {
    return layers.get(i);
  }

  /** The embedding layer's output for word pieces padded with zeros to {@code width}. */
  NDArray embed(List<long[]> pieces, int width, NDManager manager) {
    float[] sum = new float[pieces.size() * width * HIDDEN];
    for (int b = 0; b < pieces.size(); b++) {
      long[] ids = pieces.get(b);
      for (int t = 0; t < width; t++) {
        int word = t < ids.length ? (int) ids[t] : 0;
        int at = (b * width + t) * HIDDEN;
        for (int d = 0; d < HIDDEN; d++) {
          sum[at + d] = words[word * HIDDEN + d] + positions[t * HIDDEN + d] + tokenType[d];
        }
      }
    }
    NDArray x = manager.create(sum, new Shape(pieces.size(), width, HIDDEN));
    return layerNorm(x, embeddingNormWeight, embeddingNormBias);
  }

  /** 1 for each word piece, 0 for padding: shape (batch, width). */
  static NDArray mask(List<long[]> pieces, int width, NDManager manager) {
    float[] mask = new float[pieces.size() * width];
    for (int b = 0; b < pieces.size(); b++) {
      for (int t = 0; t < Math.min(width, pieces.get(b).length); t++) {
        mask[b * width + t] = 1;
      }
    }
    return manager.create(mask, new Shape(pieces.size(), width));
  }

  /** Layers {@code from} (inclusive) to {@code to} (exclusive) over {@code x}. */
  NDArray run(NDArray x, NDArray mask, int from, int to) {
    NDArray bias = attentionBias(mask);
    for (int i = from; i < to; i++) {
      x = layer(layers.get(i), x, bias);
    }
    return x;
  }

  static NDArray attentionBias(NDArray mask) {
    return mask.neg().add(1).mul(MASKED).expandDims(1).expandDims(1);
  }

  static NDArray layer(Layer p, NDArray x, NDArray attentionBias) {
    long batch = x.getShape().get(0);
    long width = x.getShape().get(1);
    int headWidth = HIDDEN / HEADS;
    NDArray q = heads(x.matMul(p.get(0)).add(p.get(1)), batch, width);
    NDArray k = heads(x.matMul(p.get(2)).add(p.get(3)), batch, width);
    NDArray v = heads(x.matMul(p.get(4)).add(p.get(5)), batch, width);
    NDArray scores =
        q.matMul(k.transpose(0, 1, 3, 2)).div((float) Math.sqrt(headWidth)).add(attentionBias);
    NDArray context =
        scores.softmax(-1).matMul(v).transpose(0, 2, 1, 3).reshape(batch, width, HIDDEN);
    NDArray attended =
        layerNorm(x.add(context.matMul(p.get(6)).add(p.get(7))), p.get(12), p.get(13));
    NDArray inner = Activation.gelu(attended.matMul(p.get(8)).add(p.get(9)));
    return layerNorm(attended.add(inner.matMul(p.get(10)).add(p.get(11))), p.get(14), p.get(15));
  }

  private static NDArray heads(NDArray x, long batch, long width) {
    return x.reshape(batch, width, HEADS, HIDDEN / HEADS).transpose(0, 2, 1, 3);
  }

  static NDArray layerNorm(NDArray x, NDArray weight, NDArray bias) {
    NDArray mean = x.mean(new int[] {-1}, true);
    NDArray centred = x.sub(mean);
    NDArray variance = centred.square().mean(new int[] {-1}, true);
    return centred.div(variance.add(LAYER_NORM_EPSILON).sqrt()).mul(weight).add(bias);
  }

  /** The mean of the unmasked word pieces' states, L2-normalised: shape (batch, hidden). */
  static NDArray pooled(NDArray x, NDArray mask) {
    NDArray weights = mask.expandDims(-1);
    NDArray mean = x.mul(weights).sum(new int[] {1}).div(mask.sum(new int[] {1}, true).maximum(1));
    return mean.div(mean.norm(new int[] {-1}, true).maximum(1e-12f));
  }
}
