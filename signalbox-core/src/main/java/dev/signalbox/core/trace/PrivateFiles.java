package dev.signalbox.core.trace;

import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;

/**
 * Files the gateway creates hold prompts, answers and who asked: readable by its own user only.
 * SQLite gives a store's journal files the store's own permissions.
 */
public final class PrivateFiles {
  private PrivateFiles() {}

  /**
   * Opens (creating it, and its folder, readable by its owner only) an SQLite file, and runs the
   * statements that set it up: pragmas, tables and indexes created if missing.
   */
  public static Connection sqlite(Path file, String... setUp) throws SQLException, IOException {
    Path parent = file.toAbsolutePath().getParent();
    if (parent != null) {
      Files.createDirectories(parent);
    }
    createIfMissing(file);
    SqliteLibrary.useCachedCopy();
    Connection connection = DriverManager.getConnection("jdbc:sqlite:" + file);
    try (Statement s = connection.createStatement()) {
      for (String statement : setUp) {
        s.execute(statement);
      }
    } catch (SQLException e) {
      connection.close();
      throw e;
    }
    return connection;
  }

  /** Creates an empty file readable and writable by its owner only, unless it exists. */
  public static void createIfMissing(Path file) throws IOException {
    if (Files.exists(file)) {
      return;
    }
    try {
      Files.createFile(file, ownerOnly("rw-------"));
    } catch (FileAlreadyExistsException raced) {
      // Another process created it first; its permissions stand.
    }
  }

  /**
   * The POSIX {@code permissions} (such as {@code rw-------}) to create a file or folder with, or
   * none where the file system has no POSIX permissions.
   */
  static FileAttribute<?>[] ownerOnly(String permissions) {
    if (!FileSystems.getDefault().supportedFileAttributeViews().contains("posix")) {
      return new FileAttribute<?>[0];
    }
    return new FileAttribute<?>[] {
      PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString(permissions))
    };
  }
}
