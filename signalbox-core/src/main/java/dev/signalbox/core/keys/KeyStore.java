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

  /**
   * Whether other processes write this store too, so that a process must read their changes ({@link
   * #since}).
   */
  default boolean shared() {
    return false;
  }

  /** Keys written since {@code version} (every key from 0), and the version they bring it to. */
  default Changed since(long version) {
    return new Changed(version == 0 ? all() : List.of(), version);
  }

  /** Keys written after a version, and the newest version among them (or the one asked). */
  record Changed(List<VirtualKey> keys, long version) {}

  /** Keeps the key, replacing one of the same id. */
  void put(VirtualKey key);

  @Override
  void close();
}
