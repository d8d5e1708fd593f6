package dev.signalbox.core.upstream;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

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

  private static final byte[] DATA = "data".getBytes(StandardCharsets.US_ASCII);
  private static final byte[] EVENT = "event".getBytes(StandardCharsets.US_ASCII);

  private final InputStream in;
  private final byte[] buffer = new byte[READ_SIZE];
  private int position;
  private int limit;
  private boolean skipLf;

  /**
   * The line {@link #readLine} read: {@code line[lineStart, lineEnd)}, a view of {@link #buffer}
   * when the line came in one read (as most do), else a copy joined from several.
   */
  private byte[] line = buffer;

  private int lineStart;
  private int lineEnd;

  public SseReader(InputStream in) {
    this.in = in;
  }

  /**
   * The next event, or null at the end of the stream. Lines are parsed where they were read, so an
   * event of one data line costs one string: this runs for every chunk of every stream.
   */
  public Event next() throws IOException {
    String event = null;
    String data = null;
    StringBuilder lines = null; // only for an event of several data lines
    while (true) {
      if (!readLine()) {
        return data == null ? null : event(event, data, lines);
      }
      if (lineStart == lineEnd) {
        if (data != null) {
          return event(event, data, lines);
        }
        event = null;
        continue;
      }
      if (line[lineStart] == ':') {
        continue;
      }
      int colon = lineStart;
      while (colon < lineEnd && line[colon] != ':') {
        colon++;
      }
      int valueStart = Math.min(colon + 1, lineEnd);
      if (valueStart < lineEnd && line[valueStart] == ' ') {
        valueStart++;
      }
      if (named(DATA, colon)) {
        String value = new String(line, valueStart, lineEnd - valueStart, StandardCharsets.UTF_8);
        if (data == null) {
          data = value;
        } else {
          if (lines == null) {
            lines = new StringBuilder(data);
          }
          lines.append('\n').append(value);
        }
      } else if (named(EVENT, colon)) {
        event = new String(line, valueStart, lineEnd - valueStart, StandardCharsets.UTF_8);
      }
    }
  }

  private static Event event(String event, String data, StringBuilder lines) {
    return new Event(event == null ? "message" : event, lines == null ? data : lines.toString());
  }

  /** Whether the line's field, which ends at {@code fieldEnd}, is {@code name}. */
  private boolean named(byte[] name, int fieldEnd) {
    return fieldEnd - lineStart == name.length
        && Arrays.equals(line, lineStart, fieldEnd, name, 0, name.length);
  }

  /** Reads the next line into {@link #line}; false at the end of the stream. */
  private boolean readLine() throws IOException {
    ByteArrayOutputStream joined = null; // only for a line that spans reads
    while (true) {
      if (position == limit) {
        limit = in.read(buffer);
        position = 0;
        if (limit <= 0) {
          limit = 0;
          if (joined == null) {
            return false;
          }
          return joinedLine(joined);
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
      if (position < limit) {
        int end = position;
        skipLf = buffer[position] == '\r';
        position++;
        if (joined == null) {
          line = buffer;
          lineStart = start;
          lineEnd = end;
          return true;
        }
        joined.write(buffer, start, end - start);
        return joinedLine(joined);
      }
      if (joined == null) {
        joined = new ByteArrayOutputStream(Math.max(64, 2 * (position - start)));
      }
      joined.write(buffer, start, position - start);
    }
  }

  private boolean joinedLine(ByteArrayOutputStream joined) {
    line = joined.toByteArray();
    lineStart = 0;
    lineEnd = line.length;
    return true;
  }
}
