package dev.signalbox.core.text;

import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A cheap guess of a text's language, for rules: the writing system of its letters decides scripts
 * that name one language (or a family: {@code zh}, {@code ja}, {@code ko}, {@code ru}, {@code ar},
 * {@code he}, {@code hi}, {@code el}, {@code th}); Latin text is voted on by the most frequent
 * function words of English, Spanish, French, German, Italian, Portuguese and Dutch. Reads at most
 * the first 2,000 characters; {@code und} when it cannot tell.
 */
public final class LanguageGuess {
  public static final String UNKNOWN = "und";
  private static final int READ = 2_000;
  private static final Map<String, Set<String>> STOPWORDS =
      Map.of(
          "en",
              Set.of(
                  "the", "and", "is", "of", "to", "in", "that", "it", "what", "how", "you", "for",
                  "with", "this"),
          "es",
              Set.of(
                  "el", "la", "de", "que", "y", "en", "los", "es", "por", "una", "para", "con",
                  "como", "qué"),
          "fr",
              Set.of(
                  "le", "la", "les", "de", "et", "est", "un", "une", "des", "que", "pour", "dans",
                  "qui", "pas"),
          "de",
              Set.of(
                  "der", "die", "das", "und", "ist", "nicht", "ein", "eine", "zu", "mit", "ich",
                  "wie", "den", "auf"),
          "it",
              Set.of(
                  "il", "di", "che", "e", "la", "per", "un", "una", "non", "sono", "con", "come",
                  "gli", "della"),
          "pt",
              Set.of(
                  "o", "a", "de", "que", "e", "do", "da", "em", "um", "uma", "para", "não", "com",
                  "os"),
          "nl",
              Set.of(
                  "de", "het", "een", "en", "van", "is", "niet", "dat", "op", "te", "zijn", "met",
                  "voor", "wat"));
  private static final List<String> LATIN_ORDER = List.of("en", "es", "fr", "de", "it", "pt", "nl");

  private LanguageGuess() {}

  public static String of(String text) {
    String head = text.length() > READ ? text.substring(0, READ) : text;
    int latin = 0;
    int letters = 0;
    int[] scripts = new int[10];
    for (int i = 0; i < head.length(); ) {
      int c = head.codePointAt(i);
      i += Character.charCount(c);
      if (!Character.isLetter(c)) {
        continue;
      }
      letters++;
      Character.UnicodeScript script = Character.UnicodeScript.of(c);
      switch (script) {
        case LATIN -> latin++;
        case HAN -> scripts[0]++;
        case HIRAGANA, KATAKANA -> scripts[1]++;
        case HANGUL -> scripts[2]++;
        case CYRILLIC -> scripts[3]++;
        case ARABIC -> scripts[4]++;
        case HEBREW -> scripts[5]++;
        case DEVANAGARI -> scripts[6]++;
        case GREEK -> scripts[7]++;
        case THAI -> scripts[8]++;
        default -> scripts[9]++;
      }
    }
    if (letters == 0) {
      return UNKNOWN;
    }
    if (scripts[1] > 0 && scripts[1] + scripts[0] > letters / 3) {
      return "ja";
    }
    String[] names = {"zh", "ja", "ko", "ru", "ar", "he", "hi", "el", "th"};
    for (int s = 0; s < names.length; s++) {
      if (scripts[s] > letters / 2) {
        return names[s];
      }
    }
    if (latin <= letters / 2) {
      return UNKNOWN;
    }
    return latinLanguage(head);
  }

  private static String latinLanguage(String text) {
    int[] votes = new int[LATIN_ORDER.size()];
    for (String word : text.toLowerCase(java.util.Locale.ROOT).split("[^\\p{L}]+", -1)) {
      for (int l = 0; l < votes.length; l++) {
        if (STOPWORDS.get(LATIN_ORDER.get(l)).contains(word)) {
          votes[l]++;
        }
      }
    }
    int best = -1;
    for (int l = 0; l < votes.length; l++) {
      if (votes[l] > 0 && (best < 0 || votes[l] > votes[best])) {
        best = l;
      }
    }
    return best < 0 ? UNKNOWN : LATIN_ORDER.get(best);
  }
}
