package dev.signalbox.core.config;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonDeserializer;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.module.SimpleModule;
import com.fasterxml.jackson.datatype.jdk8.Jdk8Module;
import java.io.IOException;
import java.time.Duration;
import java.util.function.Function;

/**
 * The Jackson mapper config records are bound with: kebab-case keys, {@code Optional} values, and
 * the config's own value types (durations such as {@code 2s}, sizes such as {@code 4MiB}, JSON
 * schemas) read by the same parsers the reader checks them with.
 */
final class ConfigMapper {
  private ConfigMapper() {}

  static ObjectMapper create() {
    SimpleModule values = new SimpleModule("signalbox-config-values");
    values.addDeserializer(Duration.class, fromText(Durations::parse));
    values.addDeserializer(ByteSize.class, fromText(ByteSize::parse));
    values.addDeserializer(
        CascadeSpec.JsonSchema.class,
        new JsonDeserializer<>() {
          @Override
          public CascadeSpec.JsonSchema deserialize(
              JsonParser parser, DeserializationContext context) throws IOException {
            return CascadeSpec.JsonSchema.of(parser.readValueAsTree());
          }
        });
    return JsonMapper.builder()
        .propertyNamingStrategy(PropertyNamingStrategies.KEBAB_CASE)
        .addModule(new Jdk8Module())
        .addModule(values)
        .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
        .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
        .build();
  }

  private static <T> JsonDeserializer<T> fromText(Function<String, T> parse) {
    return new JsonDeserializer<>() {
      @Override
      public T deserialize(JsonParser parser, DeserializationContext context) throws IOException {
        return parse.apply(parser.getValueAsString());
      }
    };
  }
}
