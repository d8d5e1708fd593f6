package dev.signalbox.core.trace;

import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;

/**
 * Files the gateway creates hold prompts, answers and who asked: readable by its own user only.
 * SQLite gives a store's journal files the store's own permissions.
 */
public final class PrivateFiles {
  private PrivateFiles() {}

  /** Creates an empty file readable and writable by its owner only, unless it exists. */
  public static void createIfMissing(Path file) throws IOException {
    if (Files.exists(file)) {
      return;
    }
    try {
      if (FileSystems.getDefault().supportedFileAttributeViews().contains("posix")) {
        Files.createFile(
            file,
            PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
      } else {
        Files.createFile(file);
      }
    } catch (FileAlreadyExistsException raced) {
      // Another process created it first; its permissions stand.
    }
  }
}
