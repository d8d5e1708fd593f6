package dev.signalbox.core.embed;

import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorSpecies;

/**
 * {@link ByteDots} on the JDK's vector API: as many bytes as the CPU's preferred int vector has
 * lanes are widened to ints, multiplied and summed per lane, and the lanes added at the end of a
 * row. Integer sums are exact, so the result does not depend on the lane count. Loaded by
 * reflection from {@link NearestNeighbours#vectorisedDots()} only.
 */
final class VectorByteDots implements ByteDots {
  private static final VectorSpecies<Integer> INTS = IntVector.SPECIES_PREFERRED;
  private static final VectorSpecies<Byte> BYTES =
      VectorSpecies.of(byte.class, VectorShape.forBitSize(INTS.length() * Byte.SIZE));

  VectorByteDots() {}

  @Override
  public void dots(byte[] rows, byte[] query, int[] out) {
    int width = query.length;
    int whole = BYTES.loopBound(width);
    for (int r = 0, offset = 0; r < out.length; r++, offset += width) {
      IntVector sum = IntVector.zero(INTS);
      for (int i = 0; i < whole; i += BYTES.length()) {
        IntVector a = widen(ByteVector.fromArray(BYTES, rows, offset + i));
        IntVector b = widen(ByteVector.fromArray(BYTES, query, i));
        sum = sum.add(a.mul(b));
      }
      int dot = sum.reduceLanes(VectorOperators.ADD);
      for (int i = whole; i < width; i++) {
        dot += rows[offset + i] * query[i];
      }
      out[r] = dot;
    }
  }

  private static IntVector widen(ByteVector bytes) {
    return (IntVector) bytes.convertShape(VectorOperators.B2I, INTS, 0);
  }
}
