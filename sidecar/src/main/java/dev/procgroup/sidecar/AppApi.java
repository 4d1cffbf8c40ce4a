package dev.procgroup.sidecar;

import com.fasterxml.jackson.core.JsonToken;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.ServerWebSocket;
import io.vertx.core.json.JsonObject;
import java.util.regex.Pattern;

/** The app-facing API on 127.0.0.1:7070 (PROTOCOL.md "App-facing API"). */
final class AppApi {

  static final long DEFAULT_TIMEOUT_MS = Rules.limit("defaultTimeoutMs");
  static final long MAX_TIMEOUT_MS = Rules.limit("maxTimeoutMs");
  /** {@code Procgroup-Fanout: all} makes an invoke reach every provider (Pandora's multipleInvoke). */
  static final String FANOUT_HEADER = "Procgroup-Fanout";
  static final String FANOUT_ALL = "all";

  private final Hub hub;
  private final SidecarConfig config;
  private final Timers timers;

  AppApi(Hub hub, Timers timers) {
    this.hub = hub;
    this.config = hub.config;
    this.timers = timers;
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
    } else if (path.startsWith("/v1/objects/")) {
      requireMethod(req, HttpMethod.GET);
      String name = Names.requireObject(path.substring("/v1/objects/".length()));
      HttpSupport.json(req.response(), 200, hub.describeObject(name).toBuffer());
    } else if (path.equals("/v1/context")) {
      requireMethod(req, HttpMethod.GET);
      HttpSupport.json(req.response(), 200, new JsonObject().put("group", config.group).put("process", config.process)
          .put("namespace", config.namespace).put("pod", config.podName).put("podIP", config.podIp).toBuffer());
    } else if (path.startsWith("/v1/events/")) {
      requireMethod(req, HttpMethod.POST);
      broadcast(req, Names.requireEvent(path.substring("/v1/events/".length())));
    } else if (path.equals("/v1/connect")) {
      upgrade(req);
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
    ProviderSelector.Pin pin = new ProviderSelector.Pin(header(req, "Procgroup-Process", Names.PROCESS),
        header(req, "Procgroup-Pod", Names.POD));
    boolean fanout = fanout(req.getHeader(FANOUT_HEADER));
    TraceContext trace = TraceContext.fromHeaders(req.getHeader(TraceContext.TRACEPARENT),
        req.getHeader(TraceContext.TRACESTATE));
    Tracing.Span span = hub.tracing.start(Tracing.CLIENT, trace, object, method, null);
    if (span != null) req.response().putHeader(TraceContext.TRACERESPONSE, span.traceresponse());
    HttpSupport.readBody(req, config.maxBodyBytes, config.limits.tooLargeDrainBytes())
        .map(AppApi::argsArray)
        .onFailure(t -> hub.tracing.end(span, "none", "bad_request"))
        .compose(args -> fanout ? hub.invokeAll(object, method, args, timeoutMs, pin, trace, span)
            : hub.invoke(object, method, args, timeoutMs, pin, trace, span))
        .onSuccess(body -> HttpSupport.json(req.response(), 200, body))
        .onFailure(t -> {
          Throwable cause = t instanceof HttpSupport.ClosingError c ? c.error : t;
          if (cause instanceof HubError h && h.status < 500 && h.status != 404) hub.metrics.badRequest("app", h.name);
          HttpSupport.error(req.response(), t);
        });
  }

  /** An optional header that must match {@code rule}; null when absent. */
  private static String header(HttpServerRequest req, String name, Pattern rule) {
    String v = req.getHeader(name);
    if (v != null && !rule.matcher(v).matches()) throw HubError.badRequest("bad " + name + " header: " + Names.abbreviate(v));
    return v;
  }

  static boolean fanout(String header) {
    if (header == null) return false;
    if (!FANOUT_ALL.equals(header.trim())) {
      throw HubError.badRequest(FANOUT_HEADER + " must be '" + FANOUT_ALL + "', was: " + Names.abbreviate(header));
    }
    return true;
  }

  /** Validates that the body is a JSON array (empty body = no arguments) and returns it unchanged. */
  static Buffer argsArray(Buffer body) {
    if (body.length() == 0) return Buffer.buffer("[]");
    JsonToken first = JsonScan.soleValue(body.getBytes()); // checked, not decoded: the arguments go on as text
    if (first == null) throw HubError.badRequest("body is not valid JSON");
    if (first != JsonToken.START_ARRAY) throw HubError.badRequest("body must be a JSON array of arguments");
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
    if (JsonScan.soleValue(body.getBytes()) == null) throw HubError.badRequest("body is not valid JSON");
    return body.toString();
  }

  private void broadcast(HttpServerRequest req, String event) {
    HttpSupport.readBody(req, config.maxBodyBytes, config.limits.tooLargeDrainBytes())
        .map(AppApi::jsonValue)
        .compose(data -> hub.broadcast(event, data))
        .onSuccess(n -> HttpSupport.json(req.response(), 202, new JsonObject().put("delivered", n).toBuffer()))
        .onFailure(t -> HttpSupport.error(req.response(), t));
  }

  // ---- WebSocket /v1/connect -------------------------------------------------------------------------------

  /**
   * The WebSocket handshake, checked here so that every refusal has the protocol's error shape (Vert.x's own answers
   * to a bad handshake have no body); upgrades to any other path get the ordinary 404.
   */
  private void upgrade(HttpServerRequest req) {
    requireMethod(req, HttpMethod.GET);
    if (!req.canUpgradeToWebSocket()) {
      throw HubError.badRequest("/v1/connect is a WebSocket endpoint: send an Upgrade request");
    }
    if (!"13".equals(req.getHeader("Sec-WebSocket-Version"))) {
      req.response().putHeader("Sec-WebSocket-Version", "13");
      throw new HubError(426, "UpgradeRequired", "WebSocket version 13 only, was: "
          + Names.abbreviate(String.valueOf(req.getHeader("Sec-WebSocket-Version"))));
    }
    String key = req.getHeader("Sec-WebSocket-Key");
    if (key == null || key.isBlank()) throw HubError.badRequest("the WebSocket handshake needs Sec-WebSocket-Key");
    req.toWebSocket().onSuccess(this::connected).onFailure(t -> {
      hub.metrics.badRequest("ws", "handshake");
      HttpSupport.error(req.response(), HubError.badRequest("WebSocket handshake failed: " + t.getMessage()));
    });
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
    long[] lastHeard = {System.nanoTime()};
    ws.textMessageHandler(text -> {
      lastHeard[0] = System.nanoTime();
      hub.local.onFrame(c, text);
    });
    ws.binaryMessageHandler(b -> {
      lastHeard[0] = System.nanoTime();
      hub.local.reject(c, "binary frames are not supported: send JSON text", null);
    });
    ws.pongHandler(b -> lastHeard[0] = System.nanoTime());
    ws.closeHandler(v -> hub.local.close(c));
    ws.exceptionHandler(t -> hub.local.close(c));
    keepAlive(ws, lastHeard);
  }

  /**
   * The idle timeout of a WebSocket: pinged every {@link Limits#webSocketPingMs}, closed (1001) when nothing, not
   * even a pong, arrived for {@link Limits#webSocketIdleTimeoutMs}. Node's ws and the JDK's client answer pings by
   * themselves, so a quiet publisher stays connected and a vanished one is noticed.
   */
  private void keepAlive(ServerWebSocket ws, long[] lastHeard) {
    Limits limits = config.limits;
    timers.set(limits.webSocketPingMs(), () -> {
      if (ws.isClosed()) return;
      if (System.nanoTime() - lastHeard[0] > limits.webSocketIdleTimeoutMs() * 1_000_000L) {
        hub.metrics.refused("app", "idle_timeout");
        ws.close((short) 1001, "nothing heard for " + limits.webSocketIdleTimeoutMs() + " ms");
        return;
      }
      ws.writePing(Buffer.buffer("hub"));
      keepAlive(ws, lastHeard);
    });
  }
}
