package dev.procgroup.sidecar;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import java.io.IOException;

/**
 * Checks and slices JSON text with Jackson's streaming parser, building no tree: the hub forwards call arguments and
 * results as text, so it only needs to know that they are well-formed and where a value starts and ends. Decoding
 * them into JsonObject/JsonArray and encoding them again cost most of the sidecar's allocation per call.
 */
final class JsonScan {

  private static final JsonFactory FACTORY = new JsonFactory();

  private JsonScan() {}

  /**
   * The first token of {@code json} when it is exactly one well-formed JSON value (START_ARRAY for an array,
   * START_OBJECT, VALUE_STRING, ...); null when it is not valid JSON, empty, or followed by more tokens.
   */
  static JsonToken soleValue(byte[] json) {
    try (JsonParser p = FACTORY.createParser(json)) {
      JsonToken first = p.nextToken();
      if (first == null) return null;
      p.skipChildren();
      return p.nextToken() == null ? first : null;
    } catch (IOException e) {
      return null;
    }
  }

  /** A publisher's {@code {"op":"result","id":..,"result":..}} frame: the call's id and the result as JSON text. */
  record Result(String id, String resultJson) {}

  /**
   * The id and the raw result of a well-formed result frame; null for anything else (another op, an error, no result,
   * an id that is neither a string nor an integer, malformed JSON), which the caller then decodes in full and
   * answers as before.
   */
  static Result result(String frame) {
    try (JsonParser p = FACTORY.createParser(frame)) {
      if (p.nextToken() != JsonToken.START_OBJECT) return null;
      String op = null, id = null, result = null;
      JsonToken t;
      while ((t = p.nextToken()) == JsonToken.FIELD_NAME) {
        String field = p.currentName();
        JsonToken value = p.nextToken();
        switch (field) {
          case "op" -> op = value == JsonToken.VALUE_STRING ? p.getText() : null;
          case "id" -> id = value == JsonToken.VALUE_STRING ? p.getText()
              : value == JsonToken.VALUE_NUMBER_INT ? p.getNumberValue().toString() : null;
          case "result" -> result = valueText(frame, p, value);
          default -> p.skipChildren();
        }
      }
      if (t != JsonToken.END_OBJECT || p.nextToken() != null) return null;
      return "result".equals(op) && id != null && result != null ? new Result(id, result) : null;
    } catch (IOException e) {
      return null;
    }
  }

  /** The text of the value whose first token {@code p} is on (read to its end); null if it cannot be sliced. */
  private static String valueText(String text, JsonParser p, JsonToken first) throws IOException {
    int start = (int) p.currentTokenLocation().getCharOffset();
    if (first.isStructStart()) p.skipChildren(); else p.finishToken();
    int end = (int) p.currentLocation().getCharOffset();
    if (start < 0 || end <= start || end > text.length()) return null;
    char last = text.charAt(end - 1);
    boolean closed = switch (first) {
      case START_OBJECT -> last == '}';
      case START_ARRAY -> last == ']';
      case VALUE_STRING -> last == '"';
      default -> !Character.isWhitespace(last) && last != ',' && last != '}';
    };
    return closed ? text.substring(start, end) : null;
  }
}
