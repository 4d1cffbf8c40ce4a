package dev.procgroup.sidecar;

/**
 * A JSON object written field by field: strings escaped here, numbers as they are, and {@link #raw} values spliced in
 * as they are. Raw values are JSON the sidecar has already validated (call arguments, event data), which it forwards
 * without decoding and encoding them again on every call. Strings are escaped by hand, not with Vert.x's Json.encode:
 * that builds a Jackson generator per string, which was a fifth of the provider sidecar's allocation per call.
 */
final class JsonText {
  private static final char[] HEX = "0123456789abcdef".toCharArray();
  private final StringBuilder out = new StringBuilder(128).append('{');

  static JsonText object() {
    return new JsonText();
  }

  JsonText string(String key, String value) {
    key(key);
    quote(out, value);
    return this;
  }

  JsonText number(String key, long value) {
    key(key).append(value);
    return this;
  }

  /** @param json a complete, already validated JSON value */
  JsonText raw(String key, String json) {
    key(key).append(json);
    return this;
  }

  @Override public String toString() {
    return out + "}";
  }

  private StringBuilder key(String key) {
    if (out.length() > 1) out.append(',');
    quote(out, key);
    return out.append(':');
  }

  /** {@code s} as a JSON string (RFC 8259: quote, backslash and control characters escaped); null as null. */
  static void quote(StringBuilder sb, String s) {
    if (s == null) {
      sb.append("null");
      return;
    }
    sb.append('"');
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      switch (c) {
        case '"' -> sb.append("\\\"");
        case '\\' -> sb.append("\\\\");
        case '\n' -> sb.append("\\n");
        case '\r' -> sb.append("\\r");
        case '\t' -> sb.append("\\t");
        case '\b' -> sb.append("\\b");
        case '\f' -> sb.append("\\f");
        default -> {
          if (c < 0x20) sb.append("\\u00").append(HEX[c >> 4]).append(HEX[c & 0xf]);
          else sb.append(c);
        }
      }
    }
    sb.append('"');
  }
}
