package dev.signalbox.testing;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Request bodies a careless or hostile client sends: well-formed requests mutated one to four times
 * (bytes flipped, cut, repeated, tokens from a dictionary of JSON and UTF-8 trouble spliced in,
 * values swapped for other types, absurd numbers, deep nesting, long strings), plus a few whole
 * classes of nonsense. The same seed gives the same bodies, so a failure can be replayed.
 */
public final class HostileBodies {
  private static final List<String> CHAT_SEEDS =
      List.of(
          "{\"model\":\"auto\",\"messages\":[{\"role\":\"user\",\"content\":\"hello there\"}]}",
          "{\"model\":\"small\",\"stream\":true,\"messages\":[{\"role\":\"system\",\"content\":\"be"
              + " brief\"},{\"role\":\"user\",\"content\":\"hi\"}],\"max_tokens\":16}",
          "{\"model\":\"auto\",\"messages\":[{\"role\":\"user\",\"content\":[{\"type\":\"text\",\"text\":\"describe\"},{\"type\":\"image_url\",\"image_url\":{\"url\":\"data:image/png;base64,AAAA\"}}]}],\"temperature\":0.2,\"top_p\":0.9,\"n\":1}",
          "{\"model\":\"auto\",\"messages\":[{\"role\":\"user\",\"content\":\"weather?\"},{\"role\":\"assistant\",\"content\":null,\"tool_calls\":[{\"id\":\"c1\",\"type\":\"function\",\"function\":{\"name\":\"w\",\"arguments\":\"{}\"}}]},{\"role\":\"tool\",\"tool_call_id\":\"c1\",\"content\":\"sunny\"}],\"tools\":[{\"type\":\"function\",\"function\":{\"name\":\"w\",\"parameters\":{\"type\":\"object\"}}}],\"tool_choice\":\"auto\"}",
          "{\"model\":\"small\",\"messages\":[{\"role\":\"user\",\"content\":\"json"
              + " please\"}],\"response_format\":{\"type\":\"json_object\"},\"stream_options\":{\"include_usage\":true},\"stream\":true,\"stop\":[\"\\n"
              + "\"],\"user\":\"u1\",\"seed\":7}");
  private static final List<String> FEEDBACK_SEEDS =
      List.of(
          "{\"request_id\":\"req-1\",\"score\":0.5}",
          "{\"request_id\":\"req-2\",\"score\":1,\"source\":\"reviewer\"}");
  private static final List<String> TOKENS =
      List.of(
          "null",
          "true",
          "[]",
          "{}",
          "\"\"",
          "-1",
          "0",
          "1e309",
          "-1e309",
          "2147483648",
          "9223372036854775808",
          "1.0e-400",
          "NaN",
          "Infinity",
          "0x10",
          "01",
          "\"\\u0000\"",
          "\"\\ud800\"",
          "\\",
          "\"",
          ",",
          ":",
          "[",
          "]",
          "{",
          "}",
          "\"model\":\"x\",",
          "//",
          "/*",
          "\u0000",
          "\uFEFF",
          "\u202E",
          "\r\n",
          "\t",
          "é",
          "𝄞",
          "\"role\":\"tool\"",
          "\"content\":{}",
          "\"messages\":null",
          "\"stream\":\"yes\"",
          "\"max_tokens\":-5",
          "\"n\":1000000",
          "\"tools\":[{}]",
          "trailing garbage",
          "}{");
  private static final List<byte[]> BAD_BYTES =
      List.of(
          new byte[] {(byte) 0xC0, (byte) 0xAF},
          new byte[] {(byte) 0xFF},
          new byte[] {(byte) 0xED, (byte) 0xA0, (byte) 0x80},
          new byte[] {(byte) 0xF8, (byte) 0x88, (byte) 0x80, (byte) 0x80, (byte) 0x80},
          new byte[] {(byte) 0xE2, (byte) 0x82},
          new byte[] {(byte) 0xFE, (byte) 0xFF, 0, '{'});

  /** A body and whether it was meant for the feedback endpoint rather than chat. */
  public record Body(byte[] bytes, boolean feedback) {
    public String path() {
      return feedback ? "/v1/feedback" : "/v1/chat/completions";
    }
  }

  private final SplittableRandom random;

  public HostileBodies(long seed) {
    this.random = new SplittableRandom(seed);
  }

  public List<Body> take(int count) {
    List<Body> bodies = new ArrayList<>(count);
    for (int i = 0; i < count; i++) {
      bodies.add(next());
    }
    return bodies;
  }

  public Body next() {
    boolean feedback = random.nextInt(5) == 0;
    int kind = random.nextInt(20);
    byte[] bytes =
        switch (kind) {
          case 0 -> randomBytes(random.nextInt(1, 400));
          case 1 -> nested(random.nextInt(100, 20_000));
          case 2 -> longValue(feedback);
          default -> mutate(seed(feedback), random.nextInt(1, 5));
        };
    return new Body(bytes, feedback);
  }

  private byte[] seed(boolean feedback) {
    List<String> seeds = feedback ? FEEDBACK_SEEDS : CHAT_SEEDS;
    return seeds.get(random.nextInt(seeds.size())).getBytes(StandardCharsets.UTF_8);
  }

  private byte[] mutate(byte[] body, int times) {
    byte[] result = body;
    for (int i = 0; i < times && result.length > 0; i++) {
      int at = random.nextInt(result.length + 1);
      result =
          switch (random.nextInt(7)) {
            case 0 -> flip(result);
            case 1 -> cut(result, at, random.nextInt(1, 12));
            case 2 -> splice(result, at, token());
            case 3 -> splice(result, at, BAD_BYTES.get(random.nextInt(BAD_BYTES.size())));
            case 4 -> repeat(result, at, random.nextInt(1, 20));
            case 5 -> Arrays.copyOf(result, at);
            default -> swapValue(result);
          };
    }
    return result;
  }

  private byte[] token() {
    return TOKENS.get(random.nextInt(TOKENS.size())).getBytes(StandardCharsets.UTF_8);
  }

  private byte[] flip(byte[] body) {
    byte[] copy = body.clone();
    copy[random.nextInt(copy.length)] ^= (byte) (1 << random.nextInt(8));
    return copy;
  }

  private static byte[] cut(byte[] body, int at, int length) {
    int end = Math.min(body.length, at + length);
    ByteArrayOutputStream out = new ByteArrayOutputStream(body.length);
    out.write(body, 0, at);
    out.write(body, end, body.length - end);
    return out.toByteArray();
  }

  private static byte[] splice(byte[] body, int at, byte[] inserted) {
    ByteArrayOutputStream out = new ByteArrayOutputStream(body.length + inserted.length);
    out.write(body, 0, at);
    out.write(inserted, 0, inserted.length);
    out.write(body, at, body.length - at);
    return out.toByteArray();
  }

  private byte[] repeat(byte[] body, int at, int times) {
    int length = Math.min(body.length - Math.min(at, body.length), random.nextInt(1, 16));
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.write(body, 0, at);
    for (int i = 0; i < times; i++) {
      out.write(body, at, length);
    }
    out.write(body, at, body.length - at);
    return out.toByteArray();
  }

  /** The text after one {@code ":"} replaced, up to the next comma, by a token. */
  private byte[] swapValue(byte[] body) {
    String text = new String(body, StandardCharsets.ISO_8859_1);
    int colon = text.indexOf(':', random.nextInt(text.length()));
    if (colon < 0) {
      return body;
    }
    int end = text.indexOf(',', colon);
    end = end < 0 ? text.length() : end;
    String replaced =
        text.substring(0, colon + 1)
            + new String(token(), StandardCharsets.ISO_8859_1)
            + text.substring(end);
    return replaced.getBytes(StandardCharsets.ISO_8859_1);
  }

  private byte[] randomBytes(int length) {
    byte[] bytes = new byte[length];
    for (int i = 0; i < length; i++) {
      bytes[i] = (byte) random.nextInt(256);
    }
    return bytes;
  }

  private byte[] nested(int depth) {
    String open = random.nextBoolean() ? "[" : "{\"a\":";
    String close = open.equals("[") ? "]" : "}";
    return ("{\"model\":\"auto\",\"messages\":"
            + open.repeat(depth)
            + "1"
            + close.repeat(depth)
            + "}")
        .getBytes(StandardCharsets.UTF_8);
  }

  private byte[] longValue(boolean feedback) {
    String filler = "x".repeat(random.nextInt(10_000, 1_000_000));
    String body =
        feedback
            ? "{\"request_id\":\"" + filler + "\",\"score\":1}"
            : "{\"model\":\""
                + filler
                + "\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}";
    return body.getBytes(StandardCharsets.UTF_8);
  }
}
