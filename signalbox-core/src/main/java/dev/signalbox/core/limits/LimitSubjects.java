package dev.signalbox.core.limits;

import dev.signalbox.core.config.LimitSettings;
import dev.signalbox.core.config.LimitSpec;
import java.net.URLDecoder;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;

/**
 * Whom a request speaks for, beyond its key: its end user, its agent session and its tags, the
 * subjects of per-user, per-session and tag limits. Every trace of a request that has any keeps
 * them in a flag ({@code limits:subjects user=… session=… tags=…}), whatever the config limits, so
 * that a counterfactual replay can apply another config's limits to them. The flag keeps the end
 * user and the session as digests (a request's user is often an e-mail address): they group one
 * user's requests as the ids did, and a replay names those scopes by them. Tags are labels the
 * config names, kept as sent (at most {@link #MAX_TAGS}, each cut to {@link #MAX_TAG_LENGTH}
 * characters).
 *
 * @param user the end user, or ""
 * @param session the agent session, or ""
 * @param tags the request's tags, none empty
 */
public record LimitSubjects(String user, String session, List<String> tags) {
  public static final LimitSubjects NONE = new LimitSubjects("", "", List.of());
  static final int MAX_TAGS = 16;
  static final int MAX_TAG_LENGTH = 64;
  private static final String FLAG = "limits:subjects";

  public LimitSubjects {
    tags = List.copyOf(tags);
  }

  /** The subjects of a request: its tags split on commas and stripped, empty ones dropped. */
  public static LimitSubjects of(String user, String session, String tags) {
    List<String> split = new ArrayList<>();
    if (!tags.isBlank()) {
      for (String tag : tags.split(",")) {
        if (!tag.isBlank()) {
          split.add(tag.strip());
        }
      }
    }
    return new LimitSubjects(user, session.strip(), split);
  }

  /**
   * {@code scopes}, then the scopes of these subjects that {@code limits} limits: the end user's
   * and the session's own, each under the config's one limit for every user or session, and each
   * limited tag's.
   */
  public List<Scope.Bound> bounds(List<Scope.Bound> scopes, LimitSettings limits) {
    if (limits.perUser().isEmpty() && limits.perSession().isEmpty() && limits.tags().isEmpty()) {
      return scopes;
    }
    List<Scope.Bound> bounds = new ArrayList<>(scopes);
    if (limits.perUser().isPresent() && !user.isEmpty()) {
      bounds.add(new Scope(Scope.Kind.USER, user).bound(limits.perUser().get()));
    }
    if (limits.perSession().isPresent() && !session.isEmpty()) {
      bounds.add(new Scope(Scope.Kind.SESSION, session).bound(limits.perSession().get()));
    }
    for (String tag : tags) {
      LimitSpec spec = limits.tags().get(tag);
      if (spec != null) {
        bounds.add(new Scope(Scope.Kind.TAG, tag).bound(spec));
      }
    }
    return bounds;
  }

  public boolean isEmpty() {
    return user.isEmpty() && session.isEmpty() && tags.isEmpty();
  }

  /** The trace's flag, with the user and the session as digests; empty when there are none. */
  public Optional<String> flag() {
    if (isEmpty()) {
      return Optional.empty();
    }
    StringBuilder flag = new StringBuilder(FLAG);
    if (!user.isEmpty()) {
      flag.append(" user=").append(digest(user));
    }
    if (!session.isEmpty()) {
      flag.append(" session=").append(digest(session));
    }
    if (!tags.isEmpty()) {
      flag.append(" tags=");
      List<String> kept = tags.subList(0, Math.min(MAX_TAGS, tags.size()));
      for (int i = 0; i < kept.size(); i++) {
        String tag = kept.get(i);
        flag.append(i == 0 ? "" : ",")
            .append(
                URLEncoder.encode(
                    tag.substring(0, Math.min(MAX_TAG_LENGTH, tag.length())),
                    StandardCharsets.UTF_8));
      }
    }
    return Optional.of(flag.toString());
  }

  /** The subjects a trace's flags recorded (user and session as their digests); else none. */
  public static LimitSubjects recorded(List<String> flags) {
    for (String flag : flags) {
      if (flag.startsWith(FLAG + " ")) {
        String user = "";
        String session = "";
        String tags = "";
        for (String part : flag.substring(FLAG.length() + 1).split(" ")) {
          int equals = part.indexOf('=');
          String value = equals < 0 ? "" : part.substring(equals + 1);
          switch (equals < 0 ? "" : part.substring(0, equals)) {
            case "user" -> user = value;
            case "session" -> session = value;
            case "tags" -> tags = value;
            default -> {} // written by a later version: not ours to read
          }
        }
        List<String> decoded = new ArrayList<>();
        for (String tag : tags.isEmpty() ? new String[0] : tags.split(",")) {
          decoded.add(URLDecoder.decode(tag, StandardCharsets.UTF_8));
        }
        return new LimitSubjects(user, session, decoded);
      }
    }
    return NONE;
  }

  /** The first 16 hex digits of the SHA-256 of {@code id}. */
  static String digest(String id) {
    try {
      byte[] hash =
          MessageDigest.getInstance("SHA-256").digest(id.getBytes(StandardCharsets.UTF_8));
      return HexFormat.of().formatHex(hash, 0, 8);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JDK has SHA-256", e);
    }
  }
}
