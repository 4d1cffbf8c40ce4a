package dev.procgroup.sidecar;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;

/**
 * An error the hub answers with, in the one error shape of PROTOCOL.md:
 * {@code {"error":{"name","message","code","source"}}}. Thrown or used as a failed future's cause so every
 * failure path ends as a structured answer with a 4xx/5xx status, never a bare 500.
 */
public final class HubError extends RuntimeException {

  public final int status;
  public final String name;
  public final String code;
  public final String source;

  public HubError(int status, String name, String message) {
    this(status, name, message, null, "hub");
  }

  public HubError(int status, String name, String message, String code, String source) {
    super(message, null, false, false);
    this.status = status;
    this.name = name;
    this.code = code;
    this.source = source;
  }

  public static HubError badRequest(String message) { return new HubError(400, "BadRequest", message); }
  public static HubError unauthorized(String message) { return new HubError(401, "Unauthorized", message); }
  public static HubError notFound(String message) { return new HubError(404, "NotFound", message); }
  public static HubError objectNotFound(String message) { return new HubError(404, "ObjectNotFound", message); }
  public static HubError methodNotFound(String message) { return new HubError(404, "MethodNotFound", message); }
  public static HubError methodNotAllowed(String message) { return new HubError(405, "MethodNotAllowed", message); }
  public static HubError tooLarge(int limit) {
    return new HubError(413, "PayloadTooLarge", "request body is larger than " + limit + " bytes");
  }
  public static HubError providerGone(String message) { return new HubError(502, "ProviderGone", message); }
  public static HubError noReadyProvider(String message) { return new HubError(503, "NoReadyProvider", message); }
  public static HubError timeout(long ms) { return new HubError(504, "Timeout", "no answer within " + ms + " ms"); }

  /** The outcome label used in metrics for this error. */
  public String outcome() {
    if ("remote".equals(source)) return "remote_error";
    return switch (name) {
      case "Timeout" -> "timeout";
      case "ProviderGone" -> "provider_gone";
      case "NoReadyProvider" -> "no_ready_provider";
      case "ObjectNotFound", "MethodNotFound" -> "not_found";
      case "PayloadTooLarge", "BadRequest" -> "bad_request";
      default -> "hub_error";
    };
  }

  public JsonObject errorJson() {
    return new JsonObject().put("name", name).put("message", getMessage() == null ? "" : getMessage())
        .put("code", code).put("source", source);
  }

  public Buffer toBody() {
    return new JsonObject().put("error", errorJson()).toBuffer();
  }

  /** A published method's error frame ({name, message, code}) as the remote error answered with 500. */
  public static HubError remote(JsonObject err) {
    String name = err == null ? null : asString(err.getValue("name"));
    String message = err == null ? null : asString(err.getValue("message"));
    Object code = err == null ? null : err.getValue("code");
    return new HubError(500, name == null || name.isEmpty() ? "Error" : name, message == null ? "" : message,
        code == null ? null : String.valueOf(code), "remote");
  }

  private static String asString(Object o) {
    return o == null ? null : String.valueOf(o);
  }
}
