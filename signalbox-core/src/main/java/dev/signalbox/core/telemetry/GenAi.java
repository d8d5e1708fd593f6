package dev.signalbox.core.telemetry;

import io.opentelemetry.api.common.AttributeKey;
import java.util.List;

/**
 * The attribute names of the OpenTelemetry GenAI semantic conventions that the gateway sets, and
 * its own under {@code signalbox.}.
 */
final class GenAi {
  static final AttributeKey<String> OPERATION = AttributeKey.stringKey("gen_ai.operation.name");
  static final AttributeKey<String> PROVIDER = AttributeKey.stringKey("gen_ai.provider.name");
  static final AttributeKey<String> REQUEST_MODEL = AttributeKey.stringKey("gen_ai.request.model");
  static final AttributeKey<String> RESPONSE_MODEL =
      AttributeKey.stringKey("gen_ai.response.model");
  static final AttributeKey<String> RESPONSE_ID = AttributeKey.stringKey("gen_ai.response.id");
  static final AttributeKey<Long> MAX_TOKENS = AttributeKey.longKey("gen_ai.request.max_tokens");
  static final AttributeKey<Double> TEMPERATURE =
      AttributeKey.doubleKey("gen_ai.request.temperature");
  static final AttributeKey<Boolean> STREAM = AttributeKey.booleanKey("gen_ai.request.stream");
  static final AttributeKey<Long> INPUT_TOKENS = AttributeKey.longKey("gen_ai.usage.input_tokens");
  static final AttributeKey<Long> OUTPUT_TOKENS =
      AttributeKey.longKey("gen_ai.usage.output_tokens");
  static final AttributeKey<Long> CACHE_READ_TOKENS =
      AttributeKey.longKey("gen_ai.usage.cache_read.input_tokens");
  static final AttributeKey<List<String>> FINISH_REASONS =
      AttributeKey.stringArrayKey("gen_ai.response.finish_reasons");
  static final AttributeKey<String> CONVERSATION_ID =
      AttributeKey.stringKey("gen_ai.conversation.id");
  static final AttributeKey<String> TOKEN_TYPE = AttributeKey.stringKey("gen_ai.token.type");
  static final AttributeKey<String> INPUT_MESSAGES =
      AttributeKey.stringKey("gen_ai.input.messages");
  static final AttributeKey<String> OUTPUT_MESSAGES =
      AttributeKey.stringKey("gen_ai.output.messages");
  static final AttributeKey<String> ERROR_TYPE = AttributeKey.stringKey("error.type");
  static final AttributeKey<String> SERVER_ADDRESS = AttributeKey.stringKey("server.address");
  static final AttributeKey<Long> SERVER_PORT = AttributeKey.longKey("server.port");

  static final AttributeKey<String> ROUTE = AttributeKey.stringKey("signalbox.route");
  static final AttributeKey<String> POLICY = AttributeKey.stringKey("signalbox.policy");
  static final AttributeKey<Double> PROPENSITY = AttributeKey.doubleKey("signalbox.propensity");
  static final AttributeKey<Double> COST_USD = AttributeKey.doubleKey("signalbox.cost_usd");
  static final AttributeKey<String> DECISION_REASON =
      AttributeKey.stringKey("signalbox.decision.reason");
  static final AttributeKey<String> REQUEST_ID = AttributeKey.stringKey("signalbox.request_id");
  static final AttributeKey<String> TENANT = AttributeKey.stringKey("signalbox.tenant");
  static final AttributeKey<String> OUTCOME = AttributeKey.stringKey("signalbox.outcome");
  static final AttributeKey<String> DEPLOYMENT = AttributeKey.stringKey("signalbox.deployment");
  static final AttributeKey<Long> ATTEMPT = AttributeKey.longKey("signalbox.attempt");
  static final AttributeKey<String> ATTEMPT_RESULT =
      AttributeKey.stringKey("signalbox.attempt.result");
  static final AttributeKey<Boolean> HEDGE = AttributeKey.booleanKey("signalbox.hedge");
  static final AttributeKey<Long> CASCADE_STAGE = AttributeKey.longKey("signalbox.cascade.stage");
  static final AttributeKey<String> CASCADE_VERDICT =
      AttributeKey.stringKey("signalbox.cascade.verdict");
  static final AttributeKey<Long> CASCADE_SAMPLES =
      AttributeKey.longKey("signalbox.cascade.samples");
  static final AttributeKey<List<String>> FLAGS = AttributeKey.stringArrayKey("signalbox.flags");

  private GenAi() {}
}
