package dev.signalbox.core.upstream;

import com.fasterxml.jackson.databind.node.ObjectNode;

/** A client's body in the upstream's own protocol, as that upstream receives it. */
final class PassedThrough {
  private PassedThrough() {}

  /**
   * The client's body with the deployment's model, streaming or not as the attempt does: a copy of
   * its top level only (every attempt changes those fields alone; nothing below them is written).
   */
  static ObjectNode body(ObjectNode original, String model, boolean stream) {
    ObjectNode body = withModel(original, model);
    if (stream) {
      body.put("stream", true);
    } else {
      body.remove("stream");
    }
    return body;
  }

  /** The client's body with the deployment's model, every other field as sent: a top-level copy. */
  static ObjectNode withModel(ObjectNode original, String model) {
    ObjectNode body = original.objectNode();
    body.setAll(original);
    body.put("model", model);
    return body;
  }
}
