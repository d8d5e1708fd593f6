package dev.signalbox.core.routing;

import dev.signalbox.api.ChatMessage;
import dev.signalbox.api.Role;
import dev.signalbox.api.TextWindow;
import dev.signalbox.core.session.SessionStore;
import dev.signalbox.core.session.ToolLoops;
import dev.signalbox.core.text.EmbeddedText;
import dev.signalbox.core.text.LanguageGuess;
import dev.signalbox.core.text.SignalSources;
import dev.signalbox.core.text.TokenCounter;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.regex.Pattern;

/**
 * A recorded request's signals, answered from the values its trace kept, so that a decision can be
 * re-run without the request. Reads follow the same logic as {@link RequestSignals}, so replaying
 * the recorded config reads, and records, the same values in the same order. Where a value was not
 * recorded (another config's policy reads more), the prompt's size comes from the token count the
 * upstream reported, and the recorded conversation answers what can be derived from it, when the
 * store kept prompts; otherwise the read fails with {@link Unrecorded}.
 */
public final class RecordedSignals implements RoutingSignals {
  /** A policy read a signal that the trace did not keep and cannot be derived. */
  public static final class Unrecorded extends RuntimeException {
    private final String signal;

    Unrecorded(String signal, String why) {
      super("the signal '" + signal + "' " + why);
      this.signal = signal;
    }

    public String signal() {
      return signal;
    }
  }

  private final String requestedModel;
  private final String tenant;
  private final Map<String, Object> recorded;
  private final List<ChatMessage> prompt;
  private final OptionalLong reportedPromptTokens;
  private final long defaultMaxTokens;
  private final SignalSources sources;
  private final TokenCounter tokens;
  private final Map<String, Object> read = new LinkedHashMap<>();
  private long promptTokens = -1;

  /**
   * @param recorded the trace's signals
   * @param prompt the recorded conversation, or empty when the store kept none
   * @param reportedPromptTokens the prompt tokens the upstream reported, or empty (decision replay
   *     leaves it empty: only what routing read then may decide again)
   */
  public RecordedSignals(
      String requestedModel,
      String tenant,
      Map<String, Object> recorded,
      List<ChatMessage> prompt,
      OptionalLong reportedPromptTokens,
      long defaultMaxTokens,
      SignalSources sources) {
    this.requestedModel = requestedModel;
    this.tenant = tenant;
    this.recorded = Map.copyOf(recorded);
    this.prompt = List.copyOf(prompt);
    this.reportedPromptTokens = reportedPromptTokens;
    this.defaultMaxTokens = defaultMaxTokens;
    this.sources = sources;
    this.tokens = sources.tokens();
  }

  @Override
  public RecordedSignals withDefaultMaxTokens(long newDefault) {
    RecordedSignals copy =
        new RecordedSignals(
            requestedModel, tenant, recorded, prompt, reportedPromptTokens, newDefault, sources);
    copy.promptTokens = promptTokens;
    copy.read.putAll(read);
    return copy;
  }

  @Override
  public String requestedModel() {
    return requestedModel;
  }

  @Override
  public Map<String, Object> read() {
    return read;
  }

  @Override
  public void note(String key, Object value) {
    read.put(key, value);
  }

  @Override
  public long promptTokens() {
    if (promptTokens < 0) {
      if (recorded.get(PROMPT_TOKENS) instanceof Number n) {
        promptTokens = n.longValue();
      } else if (reportedPromptTokens.isPresent()) {
        promptTokens = reportedPromptTokens.getAsLong();
      } else {
        promptTokens = tokens.countPrompt(fromPrompt(PROMPT_TOKENS), List.of());
      }
      read.put(PROMPT_TOKENS, promptTokens);
    }
    return promptTokens;
  }

  @Override
  public long promptTokensAtMost() {
    if (promptTokens >= 0) {
      return promptTokens;
    }
    if (recorded.get(PROMPT_TOKENS_AT_MOST) instanceof Number bound) {
      read.put(PROMPT_TOKENS_AT_MOST, bound.longValue());
      return bound.longValue();
    }
    // The exact count is a bound too, and the only one left.
    return promptTokens();
  }

  @Override
  public long maxOutputTokens() {
    Object from = recorded.get(MAX_OUTPUT_TOKENS_FROM);
    long value;
    if (FROM_ROUTE_DEFAULT.equals(from)) {
      value = defaultMaxTokens;
    } else if (FROM_REQUEST.equals(from) && recorded.get(MAX_OUTPUT_TOKENS) instanceof Number n) {
      value = n.longValue();
    } else {
      throw new Unrecorded(MAX_OUTPUT_TOKENS, "was not recorded");
    }
    read.put(MAX_OUTPUT_TOKENS, value);
    read.put(MAX_OUTPUT_TOKENS_FROM, from);
    return value;
  }

  @Override
  public String lastUserText() {
    String text = lastUserText(LAST_USER_CHARS);
    read.put(LAST_USER_CHARS, text.length());
    return text;
  }

  @Override
  public Optional<String> firstKeyword(List<String> keywords) {
    String key = RoutingSignals.keywordsKey(keywords);
    Optional<String> hit;
    if (recorded.get(key) instanceof String value) {
      hit = value.isEmpty() ? Optional.empty() : Optional.of(value);
    } else {
      String text = lastUserText(key).toLowerCase(Locale.ROOT);
      hit = keywords.stream().filter(text::contains).findFirst();
    }
    read.put(key, hit.orElse(""));
    return hit;
  }

  @Override
  public boolean matches(Pattern regex) {
    String key = REGEX + regex.pattern();
    boolean found =
        recorded.get(key) instanceof Boolean value
            ? value
            : regex.matcher(lastUserText(key)).find();
    read.put(key, found);
    return found;
  }

  @Override
  public int turns() {
    int turns =
        recorded.get(TURNS) instanceof Number n
            ? n.intValue()
            : (int) fromPrompt(TURNS).stream().filter(m -> m.role() == Role.USER).count();
    read.put(TURNS, turns);
    return turns;
  }

  @Override
  public boolean hasTools() {
    return flag(TOOLS);
  }

  @Override
  public boolean hasImages() {
    boolean images =
        recorded.get(IMAGES) instanceof Boolean value
            ? value
            : fromPrompt(IMAGES).stream().anyMatch(ChatMessage::hasImage);
    read.put(IMAGES, images);
    return images;
  }

  /** Traces recorded before embeddings were served are all chat. */
  @Override
  public boolean wantsEmbeddings() {
    boolean embeddings = Boolean.TRUE.equals(recorded.get(EMBEDDINGS));
    if (embeddings) {
      read.put(EMBEDDINGS, true);
    }
    return embeddings;
  }

  @Override
  public boolean needsJsonSchema() {
    return flag(JSON_SCHEMA);
  }

  @Override
  public Optional<String> session() {
    if (!(recorded.get(SESSION) instanceof String digest)) {
      throw new Unrecorded(SESSION, "was not recorded");
    }
    read.put(SESSION, digest);
    return digest.isEmpty() ? Optional.empty() : Optional.of(digest);
  }

  @Override
  public Optional<String> header(String name) {
    String key = HEADER + name.toLowerCase(Locale.ROOT);
    if (!(recorded.get(key) instanceof String value)) {
      throw new Unrecorded(key, "was not recorded (only the headers a policy read are)");
    }
    if (value.equals(RequestSignals.REDACTED)) {
      throw new Unrecorded(key, "is a credential, whose value is never recorded");
    }
    read.put(key, value);
    return value.isEmpty() ? Optional.empty() : Optional.of(value);
  }

  @Override
  public Optional<ToolLoops.Started> toolLoop() {
    // Recorded only for requests that carried tool results (and not before loops were held).
    if (!(recorded.get(TOOL_LOOP) instanceof String value)) {
      return Optional.empty();
    }
    read.put(TOOL_LOOP, value);
    if (value.isEmpty()) {
      return Optional.empty();
    }
    String[] parts = value.split("\\|", -1);
    return Optional.of(new ToolLoops.Started(parts[0], parts[1]));
  }

  @Override
  public Optional<SessionStore.Session> sessionState(String route) {
    session();
    String key = SESSION_STATE + route;
    if (!(recorded.get(key) instanceof String value)) {
      throw new Unrecorded(key, "was not recorded");
    }
    read.put(key, value);
    if (value.isEmpty()) {
      return Optional.empty();
    }
    String[] parts = value.split("\\|", -1);
    return Optional.of(
        new SessionStore.Session(
            parts[0], Double.parseDouble(parts[1]), Integer.parseInt(parts[2])));
  }

  @Override
  public String language() {
    String language =
        recorded.get(LANGUAGE) instanceof String value
            ? value
            : LanguageGuess.of(lastUserText(LANGUAGE));
    read.put(LANGUAGE, language);
    return language;
  }

  @Override
  public float[] embedding(String part, TextWindow window, String encoder) {
    String key = EmbeddedText.key(part, window, encoder);
    if (recorded.get(EMBEDDING + key) instanceof String value) {
      read.put(EMBEDDING + key, value);
      if (recorded.get(EMBEDDED + key) instanceof String spans) {
        read.put(EMBEDDED + key, spans);
      }
      return EmbeddedText.decode(value);
    }
    return EmbeddedText.embed(
        sources.embeddings(encoder).get(),
        EmbeddedText.of(fromPrompt(EMBEDDING + key), part),
        window,
        key,
        read);
  }

  @Override
  public String tenant() {
    read.put(TENANT, tenant);
    return tenant;
  }

  private boolean flag(String key) {
    if (!(recorded.get(key) instanceof Boolean value)) {
      throw new Unrecorded(key, "was not recorded");
    }
    read.put(key, value);
    return value;
  }

  private List<ChatMessage> fromPrompt(String signal) {
    if (prompt.isEmpty()) {
      throw new Unrecorded(
          signal,
          "was not recorded, and the store kept no prompt to derive it from"
              + " (traces.record-prompts)");
    }
    return prompt;
  }

  private String lastUserText(String signal) {
    List<ChatMessage> messages = fromPrompt(signal);
    for (int i = messages.size() - 1; i >= 0; i--) {
      if (messages.get(i).role() == Role.USER) {
        return messages.get(i).text();
      }
    }
    return "";
  }
}
