package dev.signalbox.core.cascade;

import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Finds the equations an answer writes out ({@code 3 x 60 = 180}, {@code <<3*60=180>>}) and checks
 * each: numbers with + - * / x × ÷ and parentheses on the left, one number on the right. A result
 * may be rounded to the digits it is written with. Anything else (percentages, units between
 * numbers, chains whose right side goes on) is not judged.
 */
final class Arithmetic {
  private static final String NUMBER = "\\d[\\d,]*(?:\\.\\d+)?";
  private static final String OPERATOR = "[-+*/x×÷]";
  private static final Pattern EQUATION =
      Pattern.compile(
          "(?<![\\d.,])((?:\\(?\\s*"
              + NUMBER
              + "\\s*\\)?\\s*"
              + OPERATOR
              + "\\s*)+\\(?\\s*"
              + NUMBER
              + "\\s*\\)?)"
              + "\\s*=\\s*\\$?\\s*(-?"
              + NUMBER
              + ")(?![\\d,]*\\s*"
              + OPERATOR
              + "\\s*\\d)(?!\\.\\d)");

  private Arithmetic() {}

  /** An equation that does not hold. */
  record Wrong(String equation, double value) {}

  /** The result of checking an answer: how many equations were judged, and the first wrong one. */
  record Finding(int judged, Optional<Wrong> wrong) {}

  static Finding check(String answer, double tolerance) {
    Matcher m = EQUATION.matcher(answer.replace("<<", " ").replace(">>", " "));
    int judged = 0;
    while (m.find()) {
      Optional<Double> left = evaluate(m.group(1));
      if (left.isEmpty()) {
        continue;
      }
      String written = m.group(2).replace(",", "");
      double right = Double.parseDouble(written);
      int dot = written.indexOf('.');
      double rounding = 0.5 * Math.pow(10, -(dot < 0 ? 0 : written.length() - dot - 1));
      judged++;
      if (Math.abs(left.get() - right) > rounding + tolerance * Math.max(1, Math.abs(right))) {
        return new Finding(judged, Optional.of(new Wrong(m.group().trim(), left.get())));
      }
    }
    return new Finding(judged, Optional.empty());
  }

  /**
   * The value of an expression, empty when it is not one this parser reads (or divides by zero).
   */
  static Optional<Double> evaluate(String expression) {
    Parser parser = new Parser(expression.replace(",", ""));
    try {
      double value = parser.sum();
      parser.skipSpaces();
      return parser.at < parser.text.length() || !Double.isFinite(value)
          ? Optional.empty()
          : Optional.of(value);
    } catch (IllegalArgumentException e) {
      return Optional.empty();
    }
  }

  /**
   * Recursive descent: sum = product (('+'|'-') product)*; product = factor (('*'|'/') factor)*;
   * factor = number | '(' sum ')'.
   */
  private static final class Parser {
    final String text;
    int at;

    Parser(String text) {
      this.text = text;
    }

    double sum() {
      double value = product();
      while (true) {
        char c = peek();
        if (c == '+' || c == '-') {
          at++;
          value = c == '+' ? value + product() : value - product();
        } else {
          return value;
        }
      }
    }

    double product() {
      double value = factor();
      while (true) {
        char c = peek();
        if (c == '*' || c == 'x' || c == '×') {
          at++;
          value *= factor();
        } else if (c == '/' || c == '÷') {
          at++;
          value /= factor();
        } else {
          return value;
        }
      }
    }

    double factor() {
      char c = peek();
      if (c == '(') {
        at++;
        double value = sum();
        if (peek() != ')') {
          throw new IllegalArgumentException("unbalanced");
        }
        at++;
        return value;
      }
      int start = at;
      while (at < text.length() && (Character.isDigit(text.charAt(at)) || text.charAt(at) == '.')) {
        at++;
      }
      if (start == at) {
        throw new IllegalArgumentException("expected a number at " + at);
      }
      return Double.parseDouble(text.substring(start, at));
    }

    char peek() {
      skipSpaces();
      return at < text.length() ? text.charAt(at) : '\0';
    }

    void skipSpaces() {
      while (at < text.length() && Character.isWhitespace(text.charAt(at))) {
        at++;
      }
    }
  }
}
