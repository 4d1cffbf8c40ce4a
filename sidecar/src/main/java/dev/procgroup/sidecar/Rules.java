package dev.procgroup.sidecar;

import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.regex.Pattern;

/**
 * The protocol's name rules and limits as written once in {@code clients/conformance/rules.json} (copied onto the
 * classpath by the build), shared with both clients.
 */
final class Rules {
  static final JsonObject RULES = load();

  private Rules() {}

  static Pattern name(String kind) {
    String pattern = RULES.getJsonObject("names").getString(kind);
    if (pattern == null) throw new IllegalStateException("rules.json has no name rule '" + kind + "'");
    return Pattern.compile(pattern);
  }

  static long limit(String key) {
    Long v = RULES.getJsonObject("limits").getLong(key);
    if (v == null) throw new IllegalStateException("rules.json has no limit '" + key + "'");
    return v;
  }

  private static JsonObject load() {
    try (InputStream in = Rules.class.getResourceAsStream("/dev/procgroup/conformance/rules.json")) {
      if (in == null) throw new IllegalStateException("dev/procgroup/conformance/rules.json is not on the classpath");
      return new JsonObject(new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
