package dev.signalbox.bench;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;

/**
 * A minimal keep-alive HTTP/1.1 client connection for the load generator: it costs a fraction of a
 * general client per request and per chunk, so the generator is not what the benchmark measures. It
 * reads Content-Length and chunked bodies, and calls back at the first byte of every SSE event.
 */
final class RawHttpConnection implements AutoCloseable {
  /** Called with System.nanoTime() when an SSE event starts arriving. */
  interface EventListener {
    void onEvent(long nanos);
  }

  private final Socket socket;
  private final InputStream in;
  private final OutputStream out;
  private boolean reusable = true;

  RawHttpConnection(String host, int port) throws IOException {
    socket = new Socket(host, port);
    socket.setTcpNoDelay(true);
    in = new BufferedInputStream(socket.getInputStream(), 16 * 1024);
    out = socket.getOutputStream();
  }

  boolean reusable() {
    return reusable;
  }

  /** Sends the request and reads the whole response; returns the status. */
  int exchange(byte[] request, EventListener events) throws IOException {
    out.write(request);
    out.flush();
    String status = line();
    if (status == null) {
      throw new IOException("connection closed before a response");
    }
    int code = Integer.parseInt(status.split(" ")[1]);
    long length = -1;
    boolean chunked = false;
    String header;
    while ((header = line()) != null && !header.isEmpty()) {
      String lower = header.toLowerCase();
      if (lower.startsWith("content-length:")) {
        length = Long.parseLong(header.substring(15).trim());
      } else if (lower.startsWith("transfer-encoding:") && lower.contains("chunked")) {
        chunked = true;
      } else if (lower.startsWith("connection:") && lower.contains("close")) {
        reusable = false;
      }
    }
    EventScanner scanner = new EventScanner(events);
    if (chunked) {
      while (true) {
        String size = line();
        if (size == null) {
          throw new IOException("connection closed mid-body");
        }
        int semicolon = size.indexOf(';');
        long n = Long.parseLong((semicolon < 0 ? size : size.substring(0, semicolon)).trim(), 16);
        if (n == 0) {
          while ((header = line()) != null && !header.isEmpty()) {
            // trailers
          }
          break;
        }
        body(n, scanner);
        line();
      }
    } else if (length >= 0) {
      body(length, scanner);
    } else {
      reusable = false;
      body(Long.MAX_VALUE, scanner);
    }
    return code;
  }

  private final byte[] buffer = new byte[16 * 1024];

  private void body(long n, EventScanner scanner) throws IOException {
    long left = n;
    while (left > 0) {
      int read = in.read(buffer, 0, (int) Math.min(buffer.length, left));
      if (read < 0) {
        if (n == Long.MAX_VALUE) {
          return;
        }
        throw new IOException("connection closed mid-body");
      }
      scanner.scan(buffer, read, System.nanoTime());
      left -= read;
    }
  }

  private String line() throws IOException {
    StringBuilder line = new StringBuilder();
    int b;
    while ((b = in.read()) != -1) {
      if (b == '\n') {
        int end = line.length();
        return end > 0 && line.charAt(end - 1) == '\r'
            ? line.substring(0, end - 1)
            : line.toString();
      }
      line.append((char) b);
    }
    return line.length() == 0 ? null : line.toString();
  }

  /** Finds "data:" at the start of lines across reads. */
  private static final class EventScanner {
    private static final byte[] DATA = "data:".getBytes(StandardCharsets.US_ASCII);
    private final EventListener events;
    private int matched;
    private boolean lineStart = true;

    EventScanner(EventListener events) {
      this.events = events;
    }

    void scan(byte[] bytes, int length, long nanos) {
      if (events == null) {
        return;
      }
      for (int i = 0; i < length; i++) {
        byte b = bytes[i];
        if (lineStart || matched > 0) {
          if (b == DATA[matched]) {
            matched++;
            lineStart = false;
            if (matched == DATA.length) {
              events.onEvent(nanos);
              matched = 0;
            }
            continue;
          }
          matched = 0;
        }
        lineStart = b == '\n';
      }
    }
  }

  @Override
  public void close() throws IOException {
    socket.close();
  }
}
