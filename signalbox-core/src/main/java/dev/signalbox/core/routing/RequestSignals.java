package dev.signalbox.core.routing;

import dev.signalbox.api.ChatRequest;
import dev.signalbox.api.Role;
import dev.signalbox.api.Signals;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The signals of one request, each computed on first read and remembered with its value, so the trace
 * holds exactly what routing read. Confined to the request's thread.
 */
public final class RequestSignals implements Signals {
  /** Headers a rule may read but whose values never reach a trace. */
  static final Set<String> CREDENTIAL_HEADERS =
      Set.of("authorization", "proxy-authorization", "x-api-key", "api-key", "cookie", "x-goog-api-key");
  static final String REDACTED = "[redacted]";

  private final ChatRequest request;
  private final Map<String, String> headers;
  private final String tenant;
  private final long defaultMaxTokens;
  private final TokenCounter tokens;
  private final Map<String, Object> read = new LinkedHashMap<>();
  private long promptTokens = -1;

  /**
   * @param headers request headers, names in lower case
   * @param defaultMaxTokens the output length assumed when the request sets none
   */
  public RequestSignals(
      ChatRequest request, Map<String, String> headers, String tenant, long defaultMaxTokens, TokenCounter tokens) {
    this.request = request;
    this.headers = headers;
    this.tenant = tenant;
    this.defaultMaxTokens = defaultMaxTokens;
    this.tokens = tokens;
  }

  /** The same request under another route's default output length, keeping what was read. */
  public RequestSignals withDefaultMaxTokens(long newDefault) {
    RequestSignals copy = new RequestSignals(request, headers, tenant, newDefault, tokens);
    copy.promptTokens = promptTokens;
    copy.read.putAll(read);
    return copy;
  }

  public ChatRequest request() {
    return request;
  }

  /** Every signal read so far, in the order first read. */
  public Map<String, Object> values() {
    return Map.copyOf(read);
  }

  Map<String, Object> orderedValues() {
    return read;
  }

  @Override
  public long promptTokens() {
    if (promptTokens < 0) {
      promptTokens = tokens.countPrompt(request.messages(), request.tools());
      read.put("prompt_tokens", promptTokens);
    }
    return promptTokens;
  }

  /** At least the prompt's token count, computed without tokenizing; see {@link TokenCounter#upperBound}. */
  public long promptTokensAtMost() {
    if (promptTokens >= 0) {
      return promptTokens;
    }
    long bound = tokens.upperBound(request.messages(), request.tools());
    read.put("prompt_tokens_at_most", bound);
    return bound;
  }

  @Override
  public long maxOutputTokens() {
    long value = request.maxTokens().isPresent() ? request.maxTokens().getAsInt() : defaultMaxTokens;
    read.put("max_output_tokens", value);
    return value;
  }

  @Override
  public String lastUserText() {
    String text = request.lastUserText();
    read.put("last_user_chars", text.length());
    return text;
  }

  @Override
  public int turns() {
    int turns = (int) request.messages().stream().filter(m -> m.role() == Role.USER).count();
    read.put("turns", turns);
    return turns;
  }

  @Override
  public boolean hasTools() {
    boolean tools = request.usesTools();
    read.put("tools", tools);
    return tools;
  }

  @Override
  public boolean hasImages() {
    boolean images = request.hasImages();
    read.put("images", images);
    return images;
  }

  public boolean needsJsonSchema() {
    boolean schema = request.responseFormat() == dev.signalbox.api.ResponseFormat.JSON_SCHEMA;
    read.put("json_schema", schema);
    return schema;
  }

  @Override
  public Optional<String> header(String name) {
    String key = name.toLowerCase(Locale.ROOT);
    Optional<String> value = Optional.ofNullable(headers.get(key));
    read.put("header:" + key, CREDENTIAL_HEADERS.contains(key) && value.isPresent() ? REDACTED : value.orElse(""));
    return value;
  }

  @Override
  public String tenant() {
    read.put("tenant", tenant);
    return tenant;
  }
}
