package dev.signalbox.core.text;

import dev.signalbox.api.TextWindow;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

/**
 * The long beginnings that many prompts of a training set share (a system prompt, few-shot worked
 * examples, an agent's tool definitions) and that say nothing about the question after them. Learnt
 * from sorted texts: neighbours in sorted order share their longest common prefixes, so runs of
 * neighbours whose common prefix is at least {@link #MIN_CHARS} long, with at least {@link
 * #MIN_TEXTS} texts, are the shared beginnings; a run is searched again for longer ones shared by
 * part of it (a system prompt, then one task's examples). Each prefix ends after a line break where
 * it can, else after a whitespace, so a question's first words are not cut.
 */
public final class SharedPrefixes {
  /**
   * Shorter common beginnings are part of the question ("Which of the following") or a task's own
   * template, which says what kind of question follows and leaves most of the 256 word pieces to it
   * (measured: stripping LLMRouter's templates of 200-400 characters cost 0.012 of its best
   * frontier point; docs/evaluation.md).
   */
  public static final int MIN_CHARS = 400;

  /** A beginning fewer texts share is more likely a repeated question than a template. */
  public static final int MIN_TEXTS = 5;

  /** At most this many prefixes are kept, the ones shared by the most texts. */
  static final int MAX_PREFIXES = 1_000;

  /** Prefixes are looked up by their first characters; none is shorter. */
  private static final int KEY_CHARS = 100;

  private final List<String> prefixes;
  private final Map<String, List<String>> byStart;
  private final String digest;
  private final Map<String, TextWindow> windows = new ConcurrentHashMap<>();

  public SharedPrefixes(List<String> prefixes) {
    this.prefixes = List.copyOf(prefixes);
    Map<String, List<String>> index = new TreeMap<>();
    for (String prefix : this.prefixes) {
      if (prefix.length() < KEY_CHARS) {
        throw new IllegalArgumentException(
            "a shared prefix is at least " + KEY_CHARS + " characters long");
      }
      index.computeIfAbsent(prefix.substring(0, KEY_CHARS), k -> new ArrayList<>()).add(prefix);
    }
    index.values().forEach(list -> list.sort(Comparator.comparingInt(String::length).reversed()));
    this.byStart = index;
    this.digest = digest(this.prefixes);
  }

  public static final SharedPrefixes NONE = new SharedPrefixes(List.of());

  /** The prefixes that at least {@link #MIN_TEXTS} of {@code texts} share. */
  public static SharedPrefixes learn(List<String> texts) {
    String[] sorted = texts.toArray(new String[0]);
    Arrays.sort(sorted);
    int[] common = new int[sorted.length];
    for (int i = 1; i < sorted.length; i++) {
      common[i] = commonPrefix(sorted[i - 1], sorted[i]);
    }
    List<Found> found = new ArrayList<>();
    runs(sorted, common, 1, sorted.length, 0, found);
    found.sort(Comparator.comparingInt(Found::texts).reversed());
    return new SharedPrefixes(
        found.stream().limit(MAX_PREFIXES).map(Found::prefix).distinct().toList());
  }

  private record Found(String prefix, int texts) {}

  /**
   * Finds, among texts {@code from - 1 .. to - 1} (which share {@code shared} characters), the runs
   * of neighbours sharing at least {@link #MIN_CHARS} more, and in each its own longer runs.
   */
  private static void runs(
      String[] sorted, int[] common, int from, int to, int shared, List<Found> found) {
    int i = from;
    while (i < to) {
      if (common[i] < shared + MIN_CHARS) {
        i++;
        continue;
      }
      int start = i;
      int least = Integer.MAX_VALUE;
      while (i < to && common[i] >= shared + MIN_CHARS) {
        least = Math.min(least, common[i]);
        i++;
      }
      int texts = i - start + 1;
      if (texts < MIN_TEXTS || least >= sorted[start - 1].length()) {
        // Too few, or one text is all of the beginning (repeated texts): nothing would be left.
        continue;
      }
      int end = end(sorted[start], least, shared + MIN_CHARS / 2);
      if (end >= KEY_CHARS && end >= shared + MIN_CHARS / 2) {
        found.add(new Found(sorted[start].substring(0, end), texts));
      }
      runs(sorted, common, start, i, least, found);
    }
  }

  /**
   * Where a prefix of {@code text} at most {@code length} long ends: after its last line break if
   * that leaves at least {@code least} characters (the texts may all begin their questions alike,
   * "Which of the following", and that belongs to the question), else after its last whitespace.
   */
  private static int end(String text, int length, int least) {
    int line = text.lastIndexOf('\n', length - 1) + 1;
    if (line >= least) {
      return line;
    }
    for (int end = length; end > 0; end--) {
      if (Character.isWhitespace(text.charAt(end - 1))) {
        return end;
      }
    }
    return 0;
  }

  private static int commonPrefix(String a, String b) {
    int n = Math.min(a.length(), b.length());
    int i = 0;
    while (i < n && a.charAt(i) == b.charAt(i)) {
      i++;
    }
    return i;
  }

  /**
   * Where the text after its longest known prefix starts, or 0 when it has none or nothing but
   * whitespace would be left.
   */
  public int end(String text) {
    if (text.length() < KEY_CHARS) {
      return 0;
    }
    List<String> candidates = byStart.get(text.substring(0, KEY_CHARS));
    if (candidates == null) {
      return 0;
    }
    for (String prefix : candidates) {
      if (text.startsWith(prefix)) {
        return blankFrom(text, prefix.length()) ? 0 : prefix.length();
      }
    }
    return 0;
  }

  private static boolean blankFrom(String text, int from) {
    for (int i = from; i < text.length(); i++) {
      if (!Character.isWhitespace(text.charAt(i))) {
        return false;
      }
    }
    return true;
  }

  /** The window of {@code kind} after these prefixes, made on first use. */
  TextWindow windowAfter(String kind, Supplier<TextWindow> make) {
    return windows.computeIfAbsent(kind, k -> make.get());
  }

  public List<String> prefixes() {
    return prefixes;
  }

  public boolean isEmpty() {
    return prefixes.isEmpty();
  }

  /** Twelve hex digits of SHA-256 over the prefixes: the name traces give this set. */
  public String digest() {
    return digest;
  }

  private static String digest(List<String> prefixes) {
    try {
      MessageDigest sha = MessageDigest.getInstance("SHA-256");
      for (String prefix : prefixes) {
        sha.update(prefix.getBytes(StandardCharsets.UTF_8));
        sha.update((byte) 0);
      }
      return HexFormat.of().formatHex(sha.digest(), 0, 6);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JVM has SHA-256", e);
    }
  }
}
