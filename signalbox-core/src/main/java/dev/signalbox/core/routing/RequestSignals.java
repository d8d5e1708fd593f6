package dev.signalbox.core.routing;

import dev.signalbox.api.ChatMessage;
import dev.signalbox.api.ChatRequest;
import dev.signalbox.api.NativeBody;
import dev.signalbox.api.ResponseFormat;
import dev.signalbox.api.Role;
import dev.signalbox.api.TextWindow;
import dev.signalbox.core.session.SessionStore;
import dev.signalbox.core.session.ToolLoops;
import dev.signalbox.core.text.EmbeddedText;
import dev.signalbox.core.text.LanguageGuess;
import dev.signalbox.core.text.SignalSources;
import dev.signalbox.core.text.TokenCounter;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The signals of one request, each computed on first read and remembered with its value, so the
 * trace holds exactly what routing read. Confined to the request's thread.
 */
public final class RequestSignals implements RoutingSignals {
  /** Headers a rule may read but whose values never reach a trace. */
  public static final Set<String> CREDENTIAL_HEADERS =
      Set.of(
          "authorization",
          "proxy-authorization",
          "x-api-key",
          "api-key",
          "cookie",
          "x-goog-api-key");

  public static final String REDACTED = "[redacted]";

  private final ChatRequest request;
  private final Map<String, String> headers;
  private final String tenant;
  private final long defaultMaxTokens;
  private final TokenCounter tokens;
  private final SignalSources sources;
  private final Map<String, Object> read = new LinkedHashMap<>();
  private long promptTokens = -1;
  private SessionStore sessions = SessionStore.NONE;
  private ToolLoops toolLoops = ToolLoops.NONE;
  private boolean mayBlock = true;

  /**
   * A signal was read that takes a thread of its own (an embedding) while the request was being
   * decided on one that must not block; the decision is taken again where it may.
   */
  public static final class WouldBlock extends RuntimeException {
    WouldBlock(String signal) {
      super(signal + " is not computed on a thread that must not block", null, false, false);
    }
  }

  /**
   * @param headers request headers, names in lower case
   * @param defaultMaxTokens the output length assumed when the request sets none
   * @param sources the token counter, and the embeddings a route reads (asked for only when one
   *     does)
   */
  public RequestSignals(
      ChatRequest request,
      Map<String, String> headers,
      String tenant,
      long defaultMaxTokens,
      SignalSources sources) {
    this.sources = sources;
    this.request = request;
    this.headers = headers;
    this.tenant = tenant;
    this.defaultMaxTokens = defaultMaxTokens;
    this.tokens = sources.tokens();
  }

  @Override
  public RequestSignals withDefaultMaxTokens(long newDefault) {
    RequestSignals copy = new RequestSignals(request, headers, tenant, newDefault, sources);
    copy.promptTokens = promptTokens;
    copy.sessions = sessions;
    copy.toolLoops = toolLoops;
    copy.mayBlock = mayBlock;
    copy.read.putAll(read);
    return copy;
  }

  /** Where this request's session state is read from; none by default. */
  public RequestSignals withSessions(SessionStore store) {
    this.sessions = store;
    return this;
  }

  /**
   * Whether a read may block or take long (an embedding); when not, such a read throws {@link
   * WouldBlock}. Allowed by default.
   */
  public RequestSignals mayBlock(boolean allowed) {
    this.mayBlock = allowed;
    return this;
  }

  /** Where tool loops started, to hold a loop on its model; none by default. */
  public RequestSignals withToolLoops(ToolLoops loops) {
    this.toolLoops = loops;
    return this;
  }

  @Override
  public Optional<ToolLoops.Started> toolLoop() {
    List<String> calls = new ArrayList<>();
    List<ChatMessage> messages = request.messages();
    for (int i = messages.size() - 1; i >= 0 && messages.get(i).role() == Role.TOOL; i--) {
      calls.add(messages.get(i).toolCallId());
    }
    if (calls.isEmpty()) {
      return Optional.empty(); // a new user turn: nothing to hold, nothing to record
    }
    Optional<ToolLoops.Started> started = toolLoops.startedBy(calls);
    read.put(TOOL_LOOP, started.map(s -> s.model() + "|" + s.deployment()).orElse(""));
    return started;
  }

  @Override
  public Optional<SessionStore.Session> sessionState(String route) {
    Optional<SessionStore.Session> state = session().flatMap(id -> sessions.get(route, id));
    read.put(
        SESSION_STATE + route,
        state.map(s -> s.model() + "|" + s.spentUsd() + "|" + s.steps()).orElse(""));
    return state;
  }

  public ChatRequest request() {
    return request;
  }

  @Override
  public String requestedModel() {
    return request.model();
  }

  /** Every signal read so far. */
  public Map<String, Object> values() {
    return Map.copyOf(read);
  }

  @Override
  public Map<String, Object> read() {
    return read;
  }

  @Override
  public void note(String key, Object value) {
    read.put(key, value);
  }

  /** The request's headers, names in lower case. */
  public Map<String, String> headers() {
    return headers;
  }

  @Override
  public long promptTokens() {
    if (promptTokens < 0) {
      promptTokens = tokens.countPrompt(request.messages(), request.tools());
      read.put(PROMPT_TOKENS, promptTokens);
    }
    return promptTokens;
  }

  @Override
  public long promptTokensAtMost() {
    if (promptTokens >= 0) {
      return promptTokens;
    }
    long bound = tokens.upperBound(request.messages(), request.tools());
    read.put(PROMPT_TOKENS_AT_MOST, bound);
    return bound;
  }

  /**
   * The prompt's tokens for load accounting after routing: the exact count when routing computed
   * it, else a quarter of its UTF-8 size (about four bytes a token in English). Not recorded.
   */
  public long promptTokensEstimate() {
    return promptTokens >= 0
        ? promptTokens
        : tokens.upperBound(request.messages(), request.tools()) / 4;
  }

  @Override
  public long maxOutputTokens() {
    boolean requested = request.maxTokens().isPresent();
    long value = requested ? request.maxTokens().getAsInt() : defaultMaxTokens;
    read.put(MAX_OUTPUT_TOKENS, value);
    read.put(MAX_OUTPUT_TOKENS_FROM, requested ? FROM_REQUEST : FROM_ROUTE_DEFAULT);
    return value;
  }

  @Override
  public String lastUserText() {
    String text = request.lastUserText();
    read.put(LAST_USER_CHARS, text.length());
    return text;
  }

  @Override
  public Optional<String> firstKeyword(List<String> keywords) {
    String text = request.lastUserText().toLowerCase(Locale.ROOT);
    Optional<String> hit = keywords.stream().filter(text::contains).findFirst();
    read.put(RoutingSignals.keywordsKey(keywords), hit.orElse(""));
    return hit;
  }

  @Override
  public boolean matches(Pattern regex) {
    boolean found = regex.matcher(request.lastUserText()).find();
    read.put(REGEX + regex.pattern(), found);
    return found;
  }

  @Override
  public int turns() {
    int turns = (int) request.messages().stream().filter(m -> m.role() == Role.USER).count();
    read.put(TURNS, turns);
    return turns;
  }

  @Override
  public boolean hasTools() {
    boolean tools = request.usesTools();
    read.put(TOOLS, tools);
    return tools;
  }

  @Override
  public boolean hasImages() {
    boolean images = request.hasImages();
    read.put(IMAGES, images);
    return images;
  }

  @Override
  public boolean wantsEmbeddings() {
    boolean embeddings = request.nativeBody(NativeBody.Protocol.OPENAI_EMBEDDINGS).isPresent();
    if (embeddings) {
      read.put(EMBEDDINGS, true);
    }
    return embeddings;
  }

  @Override
  public boolean needsJsonSchema() {
    boolean schema = request.responseFormat() == ResponseFormat.JSON_SCHEMA;
    read.put(JSON_SCHEMA, schema);
    return schema;
  }

  @Override
  public Optional<String> session() {
    String id =
        headers.getOrDefault(
            SESSION_HEADER, request.metadata().getOrDefault("session_id", request.user()));
    String digest = id.isEmpty() ? "" : HexFormat.of().formatHex(sha256(id), 0, 8);
    read.put(SESSION, digest);
    return digest.isEmpty() ? Optional.empty() : Optional.of(digest);
  }

  private static byte[] sha256(String text) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JVM has SHA-256", e);
    }
  }

  @Override
  public Optional<String> header(String name) {
    String key = name.toLowerCase(Locale.ROOT);
    Optional<String> value = Optional.ofNullable(headers.get(key));
    read.put(
        HEADER + key,
        CREDENTIAL_HEADERS.contains(key) && value.isPresent() ? REDACTED : value.orElse(""));
    return value;
  }

  @Override
  public String language() {
    String language = LanguageGuess.of(request.lastUserText());
    read.put(LANGUAGE, language);
    return language;
  }

  @Override
  public float[] embedding(String part, TextWindow window, String encoder) {
    String key = EmbeddedText.key(part, window, encoder);
    if (read.get(EMBEDDING + key) instanceof String stored) {
      return EmbeddedText.decode(stored);
    }
    if (!mayBlock) {
      throw new WouldBlock("an embedding");
    }
    return EmbeddedText.embed(
        sources.embeddings(encoder).get(),
        EmbeddedText.of(request.messages(), part),
        window,
        key,
        read);
  }

  @Override
  public String tenant() {
    read.put(TENANT, tenant);
    return tenant;
  }
}
