package dev.signalbox.core.keys;

import java.util.List;

/** Where virtual keys are kept between runs. */
public interface KeyStore extends AutoCloseable {
  /** Keeps nothing: keys live as long as the process. */
  KeyStore MEMORY =
      new KeyStore() {
        @Override
        public List<VirtualKey> all() {
          return List.of();
        }

        @Override
        public void put(VirtualKey key) {}

        @Override
        public void close() {}
      };

  List<VirtualKey> all();

  /** Keeps the key, replacing one of the same id. */
  void put(VirtualKey key);

  @Override
  void close();
}
