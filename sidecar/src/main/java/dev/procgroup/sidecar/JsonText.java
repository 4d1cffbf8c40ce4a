package dev.procgroup.sidecar;

import io.vertx.core.json.Json;

/**
 * A JSON object written field by field: strings and numbers encoded by Vert.x, and {@link #raw} values spliced in as
 * they are. Raw values are JSON the sidecar has already validated (call arguments, event data), which it forwards
 * without decoding and encoding them again on every call.
 */
final class JsonText {
  private final StringBuilder out = new StringBuilder(128).append('{');

  static JsonText object() {
    return new JsonText();
  }

  JsonText string(String key, String value) {
    return key(key).append(Json.encode(value));
  }

  JsonText number(String key, long value) {
    return key(key).append(value);
  }

  /** @param json a complete, already validated JSON value */
  JsonText raw(String key, String json) {
    return key(key).append(json);
  }

  @Override public String toString() {
    return out + "}";
  }

  private JsonText key(String key) {
    if (out.length() > 1) out.append(',');
    out.append(Json.encode(key)).append(':');
    return this;
  }

  private JsonText append(Object v) {
    out.append(v);
    return this;
  }
}
