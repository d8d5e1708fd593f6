package dev.signalbox.eval.report;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.signalbox.eval.EvalReport;
import dev.signalbox.eval.PolicyEvaluation;
import dev.signalbox.eval.metrics.CurvePoint;

/** The evaluation as one JSON object keyed by policy name; a metric that does not apply is null. */
public final class JsonReport {
  private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

  private JsonReport() {}

  public static ObjectNode of(EvalReport report) {
    ObjectNode root = NODES.objectNode();
    for (PolicyEvaluation p : report.policies()) {
      ObjectNode node = root.putObject(p.name());
      node.put("kind", p.kind());
      number(node, "quality", p.quality());
      ArrayNode ci = node.putArray("quality_ci");
      ci.add(p.qualityLow()).add(p.qualityHigh());
      number(node, "cost_usd", p.costUsd());
      number(node, "cost_per_prompt_usd", p.costPerPrompt());
      number(node, "aiq", p.aiq());
      if (!report.strong().isEmpty()) {
        number(node, "apgr", p.apgr());
        number(node, "cpt50", p.cpt50());
        number(node, "cpt80", p.cpt80());
      }
      number(node, "cost_to_95_usd", p.costTo95());
      number(node, "cost_to_100_usd", p.costTo100());
      number(node, "random_at_cost", p.randomAtCost());
      number(node, "latency_ms", p.latencyMs());
      ObjectNode shares = node.putObject("shares");
      p.shares().forEach(shares::put);
      if (p.sweepRequested() > 0) {
        node.putObject("sweep")
            .put("settings", p.sweepRequested())
            .put("distinct_points", p.sweepDistinct());
      }
      report.promises().stream()
          .filter(promise -> promise.route().equals(p.name()))
          .findFirst()
          .ifPresent(
              promise -> {
                ObjectNode o = node.putObject("promise").put("target", promise.target());
                number(o, "promised_quality", promise.promised());
                number(o, "realised_quality", promise.realised());
                o.put("held", promise.held());
                number(o, "cost_vs_reference", promise.costRatio());
              });
      ArrayNode points = node.putArray("points");
      for (CurvePoint point : p.points()) {
        ObjectNode o = points.addObject().put("label", point.label());
        number(o, "strong_share", point.strongShare());
        number(o, "cost_usd", point.cost());
        number(o, "quality", point.quality());
      }
    }
    return root;
  }

  private static void number(ObjectNode node, String field, double value) {
    if (Double.isFinite(value)) {
      node.put(field, value);
    } else {
      node.putNull(field);
    }
  }
}
