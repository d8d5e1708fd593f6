package dev.signalbox.core.embed;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.HexFormat;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Embeddings kept on disk between offline runs ({@code eval}, {@code train}), so a data set is
 * embedded once: one file per embedding model, records of a 16-byte content hash and the vector,
 * appended as they are computed. A record cut short by a crash is ignored when read.
 */
public final class EmbeddingFile implements AutoCloseable {
  private static final int HASH_BYTES = 16;

  private final Path path;
  private final int dimensions;
  private final Map<String, float[]> vectors = new ConcurrentHashMap<>();
  private final FileChannel channel;

  private EmbeddingFile(Path path, int dimensions, FileChannel channel) {
    this.path = path;
    this.dimensions = dimensions;
    this.channel = channel;
  }

  /** Opens (or creates) the file of {@code modelId} in {@code folder}. */
  public static EmbeddingFile open(Path folder, String modelId, int dimensions) {
    try {
      Files.createDirectories(folder);
      String name =
          HexFormat.of()
              .formatHex(modelId.getBytes(StandardCharsets.UTF_8))
              .substring(0, Math.min(48, modelId.length() * 2));
      Path path = folder.resolve(name + ".vectors");
      FileChannel channel =
          FileChannel.open(
              path, StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE);
      EmbeddingFile file = new EmbeddingFile(path, dimensions, channel);
      file.readAll();
      return file;
    } catch (IOException e) {
      throw new UncheckedIOException(
          "cannot open the embedding cache in " + folder + ": " + e.getMessage(), e);
    }
  }

  private int recordBytes() {
    return HASH_BYTES + dimensions * Float.BYTES;
  }

  private void readAll() throws IOException {
    long whole = channel.size() / recordBytes() * recordBytes();
    ByteBuffer buffer = ByteBuffer.allocate(recordBytes()).order(ByteOrder.LITTLE_ENDIAN);
    for (long at = 0; at < whole; at += recordBytes()) {
      buffer.clear();
      channel.read(buffer, at);
      buffer.flip();
      byte[] hash = new byte[HASH_BYTES];
      buffer.get(hash);
      float[] vector = new float[dimensions];
      buffer.asFloatBuffer().get(vector);
      vectors.put(HexFormat.of().formatHex(hash), vector);
    }
    channel.position(whole);
    channel.truncate(whole);
  }

  public Path path() {
    return path;
  }

  public int size() {
    return vectors.size();
  }

  float[] get(String contentHash) {
    return vectors.get(contentHash);
  }

  synchronized void put(String contentHash, float[] vector) {
    if (vectors.putIfAbsent(contentHash, vector) != null) {
      return;
    }
    ByteBuffer buffer = ByteBuffer.allocate(recordBytes()).order(ByteOrder.LITTLE_ENDIAN);
    buffer.put(HexFormat.of().parseHex(contentHash));
    buffer.asFloatBuffer().put(vector);
    buffer.position(recordBytes()).flip();
    try {
      while (buffer.hasRemaining()) {
        channel.write(buffer);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(
          "cannot write the embedding cache " + path + ": " + e.getMessage(), e);
    }
  }

  @Override
  public void close() {
    try {
      channel.close();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
