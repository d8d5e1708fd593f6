package dev.signalbox.core.responses;

import java.util.Optional;

/** Where responses created with {@code store: true} are kept for a while. */
public interface ResponseStore extends AutoCloseable {
  /** A store that keeps nothing: a response asked to be stored is not, and none is found. */
  ResponseStore NONE =
      new ResponseStore() {
        @Override
        public void put(StoredResponse response) {}

        @Override
        public Optional<StoredResponse> find(String id) {
          return Optional.empty();
        }

        @Override
        public boolean delete(String id) {
          return false;
        }

        @Override
        public void close() {}
      };

  /** Keeps the response, replacing one of the same id. */
  void put(StoredResponse response);

  Optional<StoredResponse> find(String id);

  /** Whether there was one to delete. */
  boolean delete(String id);

  @Override
  void close();
}
