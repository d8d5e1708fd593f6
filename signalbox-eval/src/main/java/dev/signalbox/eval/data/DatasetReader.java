package dev.signalbox.eval.data;

import java.nio.file.Path;

/** Reads one kind of routing data. Nothing is read until {@link #read} is called. */
public interface DatasetReader {
  Dataset read(Path path);
}
