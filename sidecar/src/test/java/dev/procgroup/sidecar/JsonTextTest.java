package dev.procgroup.sidecar;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

class JsonTextTest {

  @Test
  void stringsAreEscapedAndRawValuesSplicedAsTheyAre() {
    String text = JsonText.object().string("op", "invoke").string("id", "a\"b\\c\n").raw("args", "[1,{\"x\":null}]")
        .number("timeoutMs", 30_000).toString();
    JsonObject parsed = new JsonObject(text);
    assertThat(parsed.getString("id")).isEqualTo("a\"b\\c\n");
    assertThat(parsed.getJsonArray("args").getJsonObject(1).containsKey("x")).isTrue();
    assertThat(parsed.getLong("timeoutMs")).isEqualTo(30_000);
    assertThat(JsonText.object().toString()).isEqualTo("{}");
  }

  @Test
  void stringsReadBackAsTheyWereForEveryControlCharacterAndNonAscii() {
    StringBuilder all = new StringBuilder();
    for (char c = 0; c < 0x80; c++) all.append(c);
    all.append("é😀\u2028");
    String text = JsonText.object().string(all.toString(), all.toString()).toString();
    assertThat(new JsonObject(text).getString(all.toString())).isEqualTo(all.toString());
  }
}
