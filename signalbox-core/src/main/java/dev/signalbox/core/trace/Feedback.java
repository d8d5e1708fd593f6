package dev.signalbox.core.trace;

import com.fasterxml.jackson.databind.JsonNode;
import dev.signalbox.api.SignalboxException;
import dev.signalbox.core.wire.StrictJson;
import java.time.Instant;
import java.util.Iterator;
import java.util.Objects;
import java.util.Set;

/**
 * A caller's judgement of one answer: a score in [0, 1] (thumbs up is 1, down is 0) and an optional
 * comment. Kept beside the request's trace, where the learning policies read it.
 */
public record Feedback(String requestId, double score, String comment, Instant time) {
  private static final Set<String> FIELDS = Set.of("request_id", "score", "thumbs", "comment");
  public static final int MAX_COMMENT_CHARS = 4_096;

  public Feedback {
    Objects.requireNonNull(requestId);
    Objects.requireNonNull(comment);
    Objects.requireNonNull(time);
  }

  /**
   * Parses {@code {request_id, score | thumbs, comment?}}; anything else is a 400 naming the field.
   */
  public static Feedback parse(byte[] body, Instant now) {
    return of(StrictJson.object(body, " {request_id, score | thumbs, comment?}"), now);
  }

  /** Reads one feedback object; used for the endpoint and for imported files. */
  public static Feedback of(JsonNode node, Instant now) {
    for (Iterator<String> it = node.fieldNames(); it.hasNext(); ) {
      String field = it.next();
      if (!FIELDS.contains(field)) {
        throw SignalboxException.invalid(
            field,
            "Unknown field '" + field + "' (feedback takes request_id, score or thumbs, comment).");
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
    return new Feedback(id.asText(), value, text, now);
  }
}
