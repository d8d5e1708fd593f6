package dev.signalbox.eval.data;

/** Bad evaluation input, naming the file, and the line and field where known. */
public final class DataException extends RuntimeException {
  public DataException(String file, long line, String field, String problem) {
    super(
        file
            + (line > 0 ? ":" + line : "")
            + (field.isEmpty() ? "" : ": " + field)
            + ": "
            + problem);
  }

  public DataException(String file, String problem) {
    this(file, 0, "", problem);
  }
}
