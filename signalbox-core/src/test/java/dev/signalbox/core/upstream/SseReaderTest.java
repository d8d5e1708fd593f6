package dev.signalbox.core.upstream;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(5)
class SseReaderTest {
  private static List<SseReader.Event> read(String text) throws IOException {
    return read(new ByteArrayInputStream(text.getBytes(StandardCharsets.UTF_8)));
  }

  private static List<SseReader.Event> read(InputStream in) throws IOException {
    SseReader reader = new SseReader(in);
    List<SseReader.Event> events = new ArrayList<>();
    SseReader.Event e;
    while ((e = reader.next()) != null) {
      events.add(e);
    }
    return events;
  }

  @Test
  void readsEventsSeparatedByBlankLinesWithAnyLineEnding() throws IOException {
    assertThat(read("data: a\n\ndata: b\r\n\r\ndata: c\r\rdata: d\n\n"))
        .extracting(SseReader.Event::data)
        .containsExactly("a", "b", "c", "d");
  }

  @Test
  void joinsDataLinesAndKeepsEventNames() throws IOException {
    assertThat(
            read(
                "event: message_start\n"
                    + "data: {\"a\":\n"
                    + "data: 1}\n\n"
                    + ": a comment\n"
                    + "event: ping\n"
                    + "data:\n\n"))
        .containsExactly(
            new SseReader.Event("message_start", "{\"a\":\n1}"), new SseReader.Event("ping", ""));
  }

  @Test
  void takesFieldsByTheirWholeNameAndKeepsTextAsSent() throws IOException {
    assertThat(
            read(
                "datum: not data\n"
                    + "events: not a name\n"
                    + "data:  two spaces, one kept\n"
                    + "data\n"
                    + "data: caf\u00e9 \u2014 \ud83d\ude00\n\n"))
        .containsExactly(
            new SseReader.Event(
                "message", " two spaces, one kept\n\ncaf\u00e9 \u2014 \ud83d\ude00"));
  }

  @Test
  void returnsTheLastEventWithoutATrailingBlankLine() throws IOException {
    assertThat(read("data: [DONE]")).containsExactly(new SseReader.Event("message", "[DONE]"));
  }

  @Test
  void readsEventsSplitAcrossReadsAtAnyByte() throws IOException {
    byte[] bytes = "data: {\"x\":\"é\"}\r\n\r\ndata: two\n\n".getBytes(StandardCharsets.UTF_8);
    InputStream oneByteAtATime =
        new InputStream() {
          int i;

          @Override
          public int read() {
            return i < bytes.length ? bytes[i++] & 0xff : -1;
          }

          @Override
          public int read(byte[] b, int off, int len) {
            if (i >= bytes.length) {
              return -1;
            }
            b[off] = bytes[i++];
            return 1;
          }
        };
    assertThat(read(oneByteAtATime))
        .extracting(SseReader.Event::data)
        .containsExactly("{\"x\":\"é\"}", "two");
  }

  /**
   * The HTTP client allocates a buffer of the size asked for on every read, so a large read size is
   * garbage per chunk; an event longer than the reads still comes whole.
   */
  @Test
  void asksForSmallReadsAndStillReadsLongEvents() throws IOException {
    String longData = "é".repeat(3000) + "x".repeat(2000);
    byte[] bytes = ("data: " + longData + "\n\ndata: two\n\n").getBytes(StandardCharsets.UTF_8);
    int[] largestRead = {0};
    InputStream recording =
        new ByteArrayInputStream(bytes) {
          @Override
          public synchronized int read(byte[] b, int off, int len) {
            largestRead[0] = Math.max(largestRead[0], len);
            return super.read(b, off, len);
          }
        };
    assertThat(read(recording)).extracting(SseReader.Event::data).containsExactly(longData, "two");
    assertThat(largestRead[0]).isLessThanOrEqualTo(1024);
  }

  /**
   * A stream relayed on the event loop is pulled for its first event and then fed as bytes arrive:
   * the events are the same, wherever the pieces split the lines.
   */
  @Test
  void readsTheSameWhenPulledThenFedInPiecesOfAnySize() throws IOException {
    String text =
        "data: first\r\n\r\nevent: named\ndata: a\ndata: b\r\rdata: caf\u00e9\n\n: c\ndata: [DONE]";
    byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
    List<SseReader.Event> whole = read(text);
    for (int piece = 1; piece <= 7; piece++) {
      // The pull ends where the first event has ended: before its last LF, or in the next event.
      int pulled = "data: first\r\n\r".length() + piece % 3;
      SseReader reader = new SseReader(new ByteArrayInputStream(bytes, 0, pulled));
      List<SseReader.Event> events = new ArrayList<>();
      events.add(reader.next());
      for (int at = pulled; at < bytes.length; at += piece) {
        reader.feed(bytes, at, Math.min(piece, bytes.length - at));
        for (SseReader.Event e; (e = reader.poll()) != null; ) {
          events.add(e);
        }
      }
      reader.end();
      for (SseReader.Event e; (e = reader.poll()) != null; ) {
        events.add(e);
      }
      assertThat(events).as("pieces of %d bytes", piece).isEqualTo(whole);
    }
  }
}
