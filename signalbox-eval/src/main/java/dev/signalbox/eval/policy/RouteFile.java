package dev.signalbox.eval.policy;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.signalbox.api.Pricing;
import dev.signalbox.core.config.ConfigReader;
import dev.signalbox.core.config.GatewayConfig;
import dev.signalbox.core.config.PolicyTypes;
import dev.signalbox.eval.data.DataException;
import dev.signalbox.eval.data.Dataset;
import dev.signalbox.eval.data.PriceList;
import dev.signalbox.eval.data.YamlFile;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;

/**
 * A policies file: {@code routes:} in the gateway's own syntax. Each route becomes a policy named
 * after it, decided by the gateway's router over a config whose models are the data's models
 * (priced from the price list, one simulated deployment each), so a route is evaluated exactly as
 * it would serve. Validation is the gateway's, so every problem names its route and field.
 */
public final class RouteFile {
  private static final ObjectMapper YAML = YamlFile.MAPPER;

  private RouteFile() {}

  public static List<OfflinePolicy> load(
      Path file, Dataset dataset, PriceList prices, PolicyTypes policies) {
    GatewayConfig config = config(file, dataset, prices, policies);
    List<OfflinePolicy> routes = new ArrayList<>();
    FoldFits fits = new FoldFits(dataset.source());
    for (String route : config.routes().keySet()) {
      routes.add(new RoutePolicy(config, route, fits));
    }
    return routes;
  }

  /** The gateway config a policies file stands for: the data's models, then the file's routes. */
  public static GatewayConfig config(
      Path file, Dataset dataset, PriceList prices, PolicyTypes policies) {
    String where = file.toString();
    JsonNode root = YamlFile.read(file);
    if (root == null || !root.isObject() || !root.path("routes").isArray()) {
      throw new DataException(
          where, 0, "routes", "expected a list of routes in the gateway's syntax");
    }
    for (Iterator<String> it = root.fieldNames(); it.hasNext(); ) {
      String key = it.next();
      if (!key.equals("routes")) {
        throw new DataException(
            where,
            0,
            key,
            "unknown key (a policies file holds only routes; models come from the data)");
      }
    }
    return new ConfigReader(policies, name -> null)
        .fittingLearnedRoutes()
        .read(configText(dataset, prices, root.path("routes")), where);
  }

  /**
   * A gateway config: one simulated deployment and one model per data model, then the file's
   * routes.
   */
  static String configText(Dataset dataset, PriceList prices, JsonNode routes) {
    ObjectNode root = YAML.createObjectNode();
    ArrayNode deployments = root.putArray("deployments");
    ArrayNode models = root.putArray("models");
    int i = 0;
    for (String model : dataset.models()) {
      String deployment = "eval-" + i++;
      deployments.addObject().put("name", deployment).put("provider", "sim");
      ObjectNode spec = models.addObject();
      spec.put("name", model);
      spec.putArray("deployments").add(deployment);
      spec.put("context-window", 100_000_000);
      spec.putArray("capabilities").add("tools").add("vision").add("json-schema");
      Pricing pricing = prices.pricing(model).orElse(Pricing.FREE);
      spec.putObject("pricing")
          .put("input", pricing.inputPerMillion())
          .put("output", pricing.outputPerMillion());
    }
    root.set("routes", routes);
    try {
      return YAML.writeValueAsString(root);
    } catch (JacksonException e) {
      throw new IllegalStateException(e);
    }
  }
}
