package dev.signalbox.core.upstream;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.Arrays;

/**
 * Reads Server-Sent Events from bytes: lines ending in LF, CR or CRLF; {@code event:} and {@code
 * data:} fields (several data lines joined by LF); comments and other fields ignored. The bytes are
 * either pulled from a stream ({@link #next}, which blocks) or pushed as they arrive ({@link #feed}
 * and {@link #end}, then {@link #poll}); a reader may start one way and go on the other, since
 * whatever it has read and not yet returned stays in it.
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
  private final ArrayDeque<Event> ready = new ArrayDeque<>(2);
  private boolean skipLf;
  private boolean ended;

  /** The start of a line that the bytes fed so far have not ended; null when there is none. */
  private ByteArrayOutputStream partialLine;

  /** The event being read: its name, and its data (one data line, or several joined). */
  private String event;

  private String data;
  private StringBuilder lines;

  /** A reader that pulls from {@code in} until it is fed instead. */
  public SseReader(InputStream in) {
    this.in = in;
  }

  /** The next event, reading from the stream as needed; null at the end of the stream. */
  public Event next() throws IOException {
    while (ready.isEmpty() && !ended) {
      int read = in.read(buffer);
      if (read <= 0) {
        end();
      } else {
        feed(buffer, 0, read);
      }
    }
    return ready.poll();
  }

  /** Whether the end of the bytes was read. */
  public boolean ended() {
    return ended;
  }

  /** An event already read, or null when none is. */
  public Event poll() {
    return ready.poll();
  }

  /**
   * Parses {@code bytes[offset, offset + length)}. Lines are parsed where they lie, so an event of
   * one data line costs one string: this runs for every chunk of every stream.
   */
  public void feed(byte[] bytes, int offset, int length) {
    int position = offset;
    int limit = offset + length;
    if (skipLf && position < limit) {
      skipLf = false;
      if (bytes[position] == '\n') {
        position++;
      }
    }
    while (position < limit) {
      int start = position;
      while (position < limit && bytes[position] != '\n' && bytes[position] != '\r') {
        position++;
      }
      if (position == limit) {
        if (partialLine == null) {
          partialLine = new ByteArrayOutputStream(Math.max(64, 2 * (limit - start)));
        }
        partialLine.write(bytes, start, limit - start);
        return;
      }
      int end = position;
      position++;
      if (bytes[end] == '\r') {
        if (position < limit) {
          if (bytes[position] == '\n') {
            position++;
          }
        } else {
          skipLf = true;
        }
      }
      if (partialLine == null) {
        line(bytes, start, end);
      } else {
        partialLine.write(bytes, start, end - start);
        joinedLine();
      }
    }
  }

  /** The end of the bytes: a last line without its end counts, and so does a last event. */
  public void end() {
    if (ended) {
      return;
    }
    ended = true;
    if (partialLine != null) {
      joinedLine();
    }
    if (data != null) {
      dispatch();
    }
  }

  private void joinedLine() {
    byte[] joined = partialLine.toByteArray();
    partialLine = null;
    line(joined, 0, joined.length);
  }

  private void line(byte[] line, int start, int end) {
    if (start == end) {
      if (data != null) {
        dispatch();
      }
      event = null;
      return;
    }
    if (line[start] == ':') {
      return;
    }
    int colon = start;
    while (colon < end && line[colon] != ':') {
      colon++;
    }
    int valueStart = Math.min(colon + 1, end);
    if (valueStart < end && line[valueStart] == ' ') {
      valueStart++;
    }
    if (named(line, start, colon, DATA)) {
      String value = new String(line, valueStart, end - valueStart, StandardCharsets.UTF_8);
      if (data == null) {
        data = value;
      } else {
        if (lines == null) {
          lines = new StringBuilder(data);
        }
        lines.append('\n').append(value);
      }
    } else if (named(line, start, colon, EVENT)) {
      event = new String(line, valueStart, end - valueStart, StandardCharsets.UTF_8);
    }
  }

  private void dispatch() {
    ready.add(
        new Event(event == null ? "message" : event, lines == null ? data : lines.toString()));
    event = null;
    data = null;
    lines = null;
  }

  /** Whether the field {@code line[start, fieldEnd)} is {@code name}. */
  private static boolean named(byte[] line, int start, int fieldEnd, byte[] name) {
    return fieldEnd - start == name.length
        && Arrays.equals(line, start, fieldEnd, name, 0, name.length);
  }
}
