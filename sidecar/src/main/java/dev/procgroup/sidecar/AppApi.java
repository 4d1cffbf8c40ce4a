package dev.procgroup.sidecar;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.ServerWebSocket;
import io.vertx.core.http.ServerWebSocketHandshake;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.Json;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.regex.Pattern;

/** The app-facing API on 127.0.0.1:7070 (PROTOCOL.md "App-facing API"). */
final class AppApi {

  static final long DEFAULT_TIMEOUT_MS = 30_000;
  static final long MAX_TIMEOUT_MS = 600_000;
  /** Process names are container names: DNS-1123 labels. */
  private static final Pattern PROCESS = Pattern.compile("^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$");

  private final Hub hub;
  private final SidecarConfig config;

  AppApi(Hub hub) {
    this.hub = hub;
    this.config = hub.config;
  }

  void handle(HttpServerRequest req) {
    try {
      route(req);
    } catch (HubError e) {
      hub.metrics.badRequest("app", e.name);
      HttpSupport.error(req.response(), e);
    } catch (RuntimeException e) {
      HttpSupport.error(req.response(), e);
    }
  }

  private void route(HttpServerRequest req) {
    String path = req.path();
    if (path.startsWith("/v1/invoke/")) {
      requireMethod(req, HttpMethod.POST);
      String[] parts = path.substring("/v1/invoke/".length()).split("/", -1);
      if (parts.length != 2) throw HubError.badRequest("use /v1/invoke/{object}/{method}");
      invoke(req, Names.requireObject(parts[0]), Names.requireMethod(parts[1]));
    } else if (path.equals("/v1/objects")) {
      requireMethod(req, HttpMethod.GET);
      HttpSupport.json(req.response(), 200, hub.listObjects().toBuffer());
    } else if (path.equals("/v1/context")) {
      requireMethod(req, HttpMethod.GET);
      HttpSupport.json(req.response(), 200, new JsonObject().put("group", config.group).put("process", config.process)
          .put("namespace", config.namespace).put("pod", config.podName).put("podIP", config.podIp).toBuffer());
    } else if (path.startsWith("/v1/events/")) {
      requireMethod(req, HttpMethod.POST);
      broadcast(req, Names.requireEvent(path.substring("/v1/events/".length())));
    } else if (path.equals("/v1/connect")) {
      throw HubError.badRequest("/v1/connect is a WebSocket endpoint: send an Upgrade request");
    } else {
      throw new HubError(404, "NotFound", "no such endpoint: " + Names.abbreviate(path));
    }
  }

  static void requireMethod(HttpServerRequest req, HttpMethod method) {
    if (!req.method().equals(method)) {
      throw HubError.methodNotAllowed(req.method() + " is not allowed here, use " + method);
    }
  }

  private void invoke(HttpServerRequest req, String object, String method) {
    long timeoutMs = timeout(req.getHeader("Procgroup-Timeout-Ms"));
    String pin = req.getHeader("Procgroup-Process");
    if (pin != null && !PROCESS.matcher(pin).matches()) {
      throw HubError.badRequest("bad Procgroup-Process header: " + Names.abbreviate(pin));
    }
    HttpSupport.readBody(req, config.maxBodyBytes)
        .map(AppApi::argsArray)
        .compose(args -> hub.invoke(object, method, args, timeoutMs, pin))
        .onSuccess(body -> HttpSupport.json(req.response(), 200, body))
        .onFailure(t -> {
          Throwable cause = t instanceof HttpSupport.ClosingError c ? c.error : t;
          if (cause instanceof HubError h && h.status < 500 && h.status != 404) hub.metrics.badRequest("app", h.name);
          HttpSupport.error(req.response(), t);
        });
  }

  /** Validates that the body is a JSON array (empty body = no arguments) and returns it unchanged. */
  static Buffer argsArray(Buffer body) {
    if (body.length() == 0) return Buffer.buffer("[]");
    Object parsed;
    try {
      parsed = Json.decodeValue(body);
    } catch (DecodeException e) {
      throw HubError.badRequest("body is not valid JSON");
    }
    if (!(parsed instanceof JsonArray)) throw HubError.badRequest("body must be a JSON array of arguments");
    return body;
  }

  static long timeout(String header) {
    if (header == null) return DEFAULT_TIMEOUT_MS;
    try {
      long ms = Long.parseLong(header.trim());
      if (ms < 1 || ms > MAX_TIMEOUT_MS) throw HubError.badRequest("Procgroup-Timeout-Ms must be 1.." + MAX_TIMEOUT_MS);
      return ms;
    } catch (NumberFormatException e) {
      throw HubError.badRequest("Procgroup-Timeout-Ms must be an integer");
    }
  }

  /** Validates that the body is one JSON value and returns its text (spliced into event frames as is). */
  static String jsonValue(Buffer body) {
    if (body.length() == 0) return "null";
    try {
      Json.decodeValue(body);
    } catch (DecodeException e) {
      throw HubError.badRequest("body is not valid JSON");
    }
    return body.toString();
  }

  private void broadcast(HttpServerRequest req, String event) {
    HttpSupport.readBody(req, config.maxBodyBytes)
        .map(AppApi::jsonValue)
        .compose(data -> hub.broadcast(event, data))
        .onSuccess(n -> HttpSupport.json(req.response(), 202, "{\"delivered\":" + n + "}"))
        .onFailure(t -> HttpSupport.error(req.response(), t));
  }

  // ---- WebSocket /v1/connect -------------------------------------------------------------------------------

  void handshake(ServerWebSocketHandshake hs) {
    if ("/v1/connect".equals(hs.path())) {
      hs.accept();
    } else {
      hub.metrics.badRequest("ws", "unknown_path");
      hs.reject(404);
    }
  }

  void connected(ServerWebSocket ws) {
    PublisherConnection c = hub.local.open(new FrameSink() {
      @Override public void send(String text) {
        if (!ws.isClosed()) ws.writeTextMessage(text);
      }

      @Override public void close(short code, String reason) {
        if (!ws.isClosed()) ws.close(code, reason);
      }
    });
    ws.textMessageHandler(text -> hub.local.onFrame(c, text));
    ws.binaryMessageHandler(b -> hub.local.reject(c, "binary frames are not supported: send JSON text", null));
    ws.closeHandler(v -> hub.local.close(c));
    ws.exceptionHandler(t -> hub.local.close(c));
  }
}
