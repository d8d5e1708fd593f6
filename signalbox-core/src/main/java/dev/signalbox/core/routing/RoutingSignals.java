package dev.signalbox.core.routing;

import dev.signalbox.api.Signals;
import dev.signalbox.core.text.EmbeddedText;
import dev.signalbox.core.text.TokenCounter;
import java.util.Map;
import java.util.Optional;

/**
 * The signals the router reads: a live request's ({@link RequestSignals}), or a recorded decision's
 * ({@link RecordedSignals}) when it is replayed. Either way every value read lands, in order, in
 * the map the trace keeps.
 */
public interface RoutingSignals extends Signals {
  /** Signal keys, shared by the live and the recorded side. */
  String PROMPT_TOKENS = "prompt_tokens";

  String PROMPT_TOKENS_AT_MOST = "prompt_tokens_at_most";
  String MAX_OUTPUT_TOKENS = "max_output_tokens";
  String MAX_OUTPUT_TOKENS_FROM = "max_output_tokens_from";
  String FROM_REQUEST = "request";
  String FROM_ROUTE_DEFAULT = "route-default";
  String LAST_USER_CHARS = "last_user_chars";
  String TURNS = "turns";
  String TOOLS = "tools";
  String IMAGES = "images";
  String JSON_SCHEMA = "json_schema";
  String EMBEDDINGS = "embeddings";
  String TENANT = "tenant";
  String HEADER = "header:";
  String KEYWORDS = "keywords:";
  String REGEX = "regex:";
  String RULE = "rule:";
  String SESSION = "session";
  String EMBEDDING = EmbeddedText.EMBEDDING_SIGNAL;

  /** What a windowed embedding read: its spans' offsets and the text's length. */
  String EMBEDDED = EmbeddedText.EMBEDDED_SIGNAL;

  String LANGUAGE = "language";
  String DOMAIN = "domain";
  String SESSION_STATE = "session_state:";
  String SESSION_STEERING = "session_steering:";
  String TOOL_LOOP = "tool_loop";
  String TOOL_LOOP_HELD = "tool_loop_held:";
  String SLO = "slo";
  String FALLBACK_ORDER = "fallback_order";

  /**
   * The header that names an agent's session; else {@code metadata.session_id}, else {@code user}.
   */
  String SESSION_HEADER = "x-signalbox-session-id";

  /** The route or model the request names. */
  String requestedModel();

  /** At least the prompt's token count, without tokenizing; see {@link TokenCounter#upperBound}. */
  long promptTokensAtMost();

  boolean needsJsonSchema();

  /** Whether the request asks for embeddings; recorded only when it does. */
  boolean wantsEmbeddings();

  /**
   * The request's session, as a digest of its id (the id itself is never recorded): from the {@code
   * x-signalbox-session-id} header, else {@code metadata.session_id}, else {@code user}.
   */
  Optional<String> session();

  /**
   * The state of this request's session on a route (its model, spend and steps before this step),
   * empty on its first step or without a session. Recorded as {@code model|spent|steps}.
   */
  Optional<dev.signalbox.core.session.SessionStore.Session> sessionState(String route);

  /**
   * Where the tool loop this request continues started (its last messages carry the results of tool
   * calls the gateway answered with), if the gateway remembers it. Recorded as {@code
   * model|deployment}, empty for none.
   */
  Optional<dev.signalbox.core.session.ToolLoops.Started> toolLoop();

  /** The same request under another route's default output length, keeping what was read. */
  RoutingSignals withDefaultMaxTokens(long newDefault);

  /** Records a value the router derived, such as the reason a rule delegated. */
  void note(String key, Object value);

  /** Every value read so far, in the order first read; the router's own, not a copy. */
  Map<String, Object> read();

  static String keywordsKey(java.util.List<String> keywords) {
    return KEYWORDS + String.join("|", keywords);
  }
}
