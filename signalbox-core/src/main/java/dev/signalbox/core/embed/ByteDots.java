package dev.signalbox.core.embed;

import java.util.Optional;

/**
 * Dot products of one int8 query with many int8 rows, in SIMD lanes. The JIT does not vectorise a
 * byte-times-byte sum into an int by itself (a scalar loop takes longer than the float search it
 * would shorten), so this exists only where the JDK's vector API is present: a JVM started with
 * {@code --add-modules jdk.incubator.vector}, as the launcher starts a gateway with a learned
 * route.
 */
public interface ByteDots {
  /**
   * {@code out[r]} becomes the dot product of {@code query} with row {@code r} of {@code rows}
   * (rows of {@code query.length} bytes, one after another).
   */
  void dots(byte[] rows, byte[] query, int[] out);

  /** The vectorised implementation, where the vector module is in the JVM's module graph. */
  static Optional<ByteDots> vectorised() {
    return Holder.VECTORISED;
  }

  /** Looked up once: the class that names the vector API is loaded only when it can link. */
  final class Holder {
    private static final Optional<ByteDots> VECTORISED = load();

    private Holder() {}

    private static Optional<ByteDots> load() {
      if (ModuleLayer.boot().findModule("jdk.incubator.vector").isEmpty()
          || Boolean.getBoolean("signalbox.knn.scalar")) {
        return Optional.empty();
      }
      try {
        return Optional.of(
            (ByteDots)
                Class.forName("dev.signalbox.core.embed.VectorByteDots")
                    .getDeclaredConstructor()
                    .newInstance());
      } catch (ReflectiveOperationException | LinkageError unusable) {
        return Optional.empty();
      }
    }
  }
}
