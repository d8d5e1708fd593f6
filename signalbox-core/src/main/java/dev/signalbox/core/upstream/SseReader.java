package dev.signalbox.core.upstream;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;

/**
 * Reads Server-Sent Events from a byte stream: lines ending in LF, CR or CRLF; {@code event:} and
 * {@code data:} fields (several data lines joined by LF); comments and other fields ignored.
 */
public final class SseReader {
  /** One event; {@code event} is "message" when the stream named none. */
  public record Event(String event, String data) {}

  /**
   * Small on purpose: the HTTP client allocates a fresh buffer of the size asked for on every read,
   * and a stream's reader waits with it for the next event, so an 8 KB read cost each chunk 8 KB of
   * garbage and each open stream 16 KB held across collections (run-gc.sh STREAMS=1). An event
   * longer than this takes a few reads.
   */
  private static final int READ_SIZE = 1024;

  private final InputStream in;
  private final byte[] buffer = new byte[READ_SIZE];
  private int position;
  private int limit;
  private boolean skipLf;

  public SseReader(InputStream in) {
    this.in = in;
  }

  /** The next event, or null at the end of the stream. */
  public Event next() throws IOException {
    String event = null;
    StringBuilder data = null;
    while (true) {
      String line = readLine();
      if (line == null) {
        return data == null ? null : new Event(event == null ? "message" : event, data.toString());
      }
      if (line.isEmpty()) {
        if (data != null) {
          return new Event(event == null ? "message" : event, data.toString());
        }
        event = null;
        continue;
      }
      if (line.charAt(0) == ':') {
        continue;
      }
      int colon = line.indexOf(':');
      String field = colon < 0 ? line : line.substring(0, colon);
      String value = colon < 0 ? "" : line.substring(colon + 1);
      if (value.startsWith(" ")) {
        value = value.substring(1);
      }
      if (field.equals("data")) {
        if (data == null) {
          data = new StringBuilder(value);
        } else {
          data.append('\n').append(value);
        }
      } else if (field.equals("event")) {
        event = value;
      }
    }
  }

  private String readLine() throws IOException {
    ByteArrayOutputStream line = null;
    while (true) {
      if (position == limit) {
        limit = in.read(buffer);
        position = 0;
        if (limit <= 0) {
          limit = 0;
          return line == null ? null : line.toString(StandardCharsets.UTF_8);
        }
      }
      if (skipLf) {
        skipLf = false;
        if (buffer[position] == '\n') {
          position++;
          continue;
        }
      }
      int start = position;
      while (position < limit && buffer[position] != '\n' && buffer[position] != '\r') {
        position++;
      }
      if (line == null) {
        line = new ByteArrayOutputStream(Math.max(64, position - start));
      }
      line.write(buffer, start, position - start);
      if (position < limit) {
        skipLf = buffer[position] == '\r';
        position++;
        return line.toString(StandardCharsets.UTF_8);
      }
    }
  }
}
