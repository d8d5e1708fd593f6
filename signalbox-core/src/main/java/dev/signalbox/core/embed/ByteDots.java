package dev.signalbox.core.embed;

/**
 * Dot products of one int8 query with many int8 rows, in SIMD lanes. The JIT does not vectorise a
 * byte-times-byte sum into an int by itself (a scalar loop takes longer than the float search it
 * would shorten), so this exists only where the JDK's vector API is present: a JVM started with
 * {@code --add-modules jdk.incubator.vector}, as the launcher starts a gateway with a learned
 * route.
 */
interface ByteDots {
  /**
   * {@code out[r]} becomes the dot product of {@code query} with row {@code r} of {@code rows}
   * (rows of {@code query.length} bytes, one after another).
   */
  void dots(byte[] rows, byte[] query, int[] out);
}
