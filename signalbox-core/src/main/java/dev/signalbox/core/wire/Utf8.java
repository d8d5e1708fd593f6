package dev.signalbox.core.wire;

/**
 * Well-formed UTF-8 as JSON text needs it (RFC 8259 section 8.1): no overlong forms, no encoded
 * surrogates, nothing past U+10FFFF, and no NUL byte, which JSON allows only escaped. A body in
 * UTF-16 or UTF-32 always has NUL bytes, so it is refused too, instead of being guessed at.
 */
final class Utf8 {
  private Utf8() {}

  /** The offset of the first byte that is not well-formed JSON text, or -1. */
  static int firstMalformed(byte[] bytes) {
    int i = 0;
    int n = bytes.length;
    while (i < n) {
      int b = bytes[i] & 0xFF;
      if (b < 0x80) {
        if (b == 0) {
          return i;
        }
        i++;
        continue;
      }
      int length;
      int low = 0x80;
      int high = 0xBF;
      if (b >= 0xC2 && b <= 0xDF) {
        length = 2;
      } else if (b == 0xE0) {
        length = 3;
        low = 0xA0;
      } else if (b == 0xED) {
        length = 3;
        high = 0x9F;
      } else if (b >= 0xE1 && b <= 0xEF) {
        length = 3;
      } else if (b == 0xF0) {
        length = 4;
        low = 0x90;
      } else if (b >= 0xF1 && b <= 0xF3) {
        length = 4;
      } else if (b == 0xF4) {
        length = 4;
        high = 0x8F;
      } else {
        return i;
      }
      if (i + length > n) {
        return i;
      }
      int second = bytes[i + 1] & 0xFF;
      if (second < low || second > high) {
        return i;
      }
      for (int k = 2; k < length; k++) {
        int next = bytes[i + k] & 0xFF;
        if (next < 0x80 || next > 0xBF) {
          return i;
        }
      }
      i += length;
    }
    return -1;
  }
}
