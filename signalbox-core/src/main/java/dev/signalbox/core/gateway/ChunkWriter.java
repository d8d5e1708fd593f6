package dev.signalbox.core.gateway;

import java.io.IOException;

/** Where a relayed stream's bytes go; an IOException means the client went away. */
public interface ChunkWriter {
  void write(byte[] bytes) throws IOException;
}
