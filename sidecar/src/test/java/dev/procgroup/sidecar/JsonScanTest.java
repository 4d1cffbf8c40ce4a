package dev.procgroup.sidecar;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.core.JsonToken;
import io.vertx.core.json.Json;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

class JsonScanTest {

  private static JsonToken sole(String json) {
    return JsonScan.soleValue(json.getBytes(StandardCharsets.UTF_8));
  }

  @Test
  void soleValueNamesTheKindOfOneWellFormedValueAndNothingElse() {
    assertThat(sole("[1, \"a\", {\"b\": [null, true]}]")).isEqualTo(JsonToken.START_ARRAY);
    assertThat(sole(" {\"a\":1} ")).isEqualTo(JsonToken.START_OBJECT);
    assertThat(sole("\"x\"")).isEqualTo(JsonToken.VALUE_STRING);
    assertThat(sole("-1.5e3")).isEqualTo(JsonToken.VALUE_NUMBER_FLOAT);
    for (String bad : List.of("", "[1,", "nul", "[1] [2]", "{\"a\" 1}", "[\"unterminated]", "[01]", "{x}", "[1,]")) {
      assertThat(sole(bad)).as(bad).isNull();
    }
  }

  @Test
  void aResultFrameGivesItsIdAndTheResultTextExactlyAsTheFullDecodeWouldMeanIt() {
    List<String> results = List.of("\"done\"", "1", "-0", "1.5e-3", "true", "null", "[]", "{}",
        "[1,{\"x\":\"a\\\"b\\\\c\\n\\u00e9\"},[[]]]", "{\"nested\":{\"deep\":[1,2,{\"k\":\"}\"}]}}", "\"\\u2028 ]}\"",
        "\"é😀\"");
    for (String result : results) {
      for (String frame : List.of("{\"op\":\"result\",\"id\":\"7\",\"result\":" + result + "}",
          "{ \"result\" : " + result + " , \"id\" : 7 , \"op\" : \"result\" }",
          "{\"id\":\"7\",\"extra\":{\"a\":[1]},\"result\":" + result + ",\"op\":\"result\"}")) {
        JsonScan.Result r = JsonScan.result(frame);
        assertThat(r).as(frame).isNotNull();
        assertThat(r.id()).isEqualTo("7");
        assertThat(Json.decodeValue(r.resultJson())).as(frame)
            .isEqualTo(new JsonObject(frame).getValue("result"));
      }
    }
  }

  @Test
  void anythingButAWellFormedResultFrameIsLeftToTheFullDecode() {
    for (String frame : List.of("{\"op\":\"error\",\"id\":\"1\",\"error\":{}}", "{\"op\":\"result\",\"id\":\"1\"}",
        "{\"op\":\"result\",\"result\":1}", "{\"op\":\"result\",\"id\":1.5,\"result\":1}",
        "{\"op\":\"result\",\"id\":\"1\",\"result\":[1,}", "{\"op\":\"result\",\"id\":\"1\",\"result\":1} x",
        "[\"op\",\"result\"]", "not json", "{\"op\":[\"result\"],\"id\":\"1\",\"result\":1}")) {
      assertThat(JsonScan.result(frame)).as(frame).isNull();
    }
  }
}
