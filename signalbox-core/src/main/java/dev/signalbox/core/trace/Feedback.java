package dev.signalbox.core.trace;

import com.fasterxml.jackson.databind.JsonNode;
import dev.signalbox.api.SignalboxException;
import dev.signalbox.core.wire.StrictJson;
import dev.signalbox.core.wire.Truncated;
import java.time.Instant;
import java.util.Iterator;
import java.util.Objects;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * A caller's judgement of one answer: a score in [0, 1] (thumbs up is 1, down is 0) and an optional
 * comment. Kept beside the request's trace, where the learning policies read it.
 */
public record Feedback(
    String requestId, double score, String comment, Instant time, String source) {
  private static final Set<String> FIELDS =
      Set.of("request_id", "score", "thumbs", "comment", "source");
  private static final Pattern SOURCE = Pattern.compile("[a-z0-9][a-z0-9_.-]{0,31}");
  public static final int MAX_COMMENT_CHARS = 4_096;

  /** Where feedback sent to {@code POST /v1/feedback} comes from unless it names a source. */
  public static final String API = "api";

  /** Where imported feedback comes from unless a line names a source. */
  public static final String IMPORT = "import";

  public Feedback {
    Objects.requireNonNull(requestId);
    Objects.requireNonNull(comment);
    Objects.requireNonNull(time);
    Objects.requireNonNull(source);
  }

  /** Feedback from the API. */
  public Feedback(String requestId, double score, String comment, Instant time) {
    this(requestId, score, comment, time, API);
  }

  /**
   * Parses {@code {request_id, score | thumbs, comment?}}; anything else is a 400 naming the field.
   */
  public static Feedback parse(byte[] body, Instant now) {
    return of(
        StrictJson.object(body, " {request_id, score | thumbs, comment?, source?}"), now, API);
  }

  /**
   * Reads one feedback object; used for the endpoint and for imported files.
   *
   * @param defaultSource the source of feedback that names none
   */
  public static Feedback of(JsonNode node, Instant now, String defaultSource) {
    for (Iterator<String> it = node.fieldNames(); it.hasNext(); ) {
      String field = it.next();
      if (!FIELDS.contains(field)) {
        throw SignalboxException.invalid(
            field,
            "Unknown field '"
                + Truncated.of(field, 40)
                + "' (feedback takes request_id, score or thumbs, comment, source).");
      }
    }
    JsonNode id = node.path("request_id");
    if (!id.isTextual() || id.asText().isBlank()) {
      throw SignalboxException.invalid(
          "request_id", "'request_id' must be the x-signalbox-request-id of an answer.");
    }
    JsonNode score = node.path("score");
    JsonNode thumbs = node.path("thumbs");
    if (score.isMissingNode() == thumbs.isMissingNode()) {
      throw SignalboxException.invalid(
          "score",
          "Give exactly one of 'score' (a number from 0 to 1) or 'thumbs' (\"up\" or \"down\").");
    }
    double value;
    if (!score.isMissingNode()) {
      if (!score.isNumber() || !(score.asDouble() >= 0 && score.asDouble() <= 1)) {
        throw SignalboxException.invalid(
            "score", "'score' must be a number from 0 to 1, got " + score + ".");
      }
      value = score.asDouble();
    } else {
      value =
          switch (thumbs.asText("")) {
            case "up" -> 1;
            case "down" -> 0;
            default ->
                throw SignalboxException.invalid(
                    "thumbs", "'thumbs' must be \"up\" or \"down\", got " + thumbs + ".");
          };
    }
    JsonNode comment = node.path("comment");
    if (!comment.isMissingNode() && !comment.isNull() && !comment.isTextual()) {
      throw SignalboxException.invalid("comment", "'comment' must be a string.");
    }
    String text = comment.asText("");
    if (text.length() > MAX_COMMENT_CHARS) {
      throw SignalboxException.invalid(
          "comment", "'comment' must be at most " + MAX_COMMENT_CHARS + " characters.");
    }
    JsonNode source = node.path("source");
    if (!source.isMissingNode()
        && !(source.isTextual() && SOURCE.matcher(source.asText()).matches())) {
      throw SignalboxException.invalid(
          "source",
          "'source' names who judged (\"user\", \"judge\", ...): 1 to 32 lower-case letters,"
              + " digits, '.', '_' or '-'.");
    }
    return new Feedback(id.asText(), value, text, now, source.asText(defaultSource));
  }
}
