package dev.procgroup.sidecar;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;
import java.util.HashMap;
import java.util.Map;

/** The peer API on the pod IP :7071 (PROTOCOL.md "Peer API"), bearer-token authenticated. */
final class PeerApi {

  /** The calling sidecar's pod, sent with a traced call: the provider's span names the other end. */
  static final String CALLER_POD_HEADER = "Procgroup-Caller-Pod";

  private final Hub hub;
  private final PeerToken tokens;
  private final int maxBody;
  private final Limits limits;
  /** Requests in progress by remote address: at most {@link Limits#peerMaxConcurrentPerRemote} each. */
  private final Map<String, Integer> inProgress = new HashMap<>();

  /**
   * @param tokens the group's bearer token; null with mTLS, where the TLS handshake authenticated the peer (its
   *     certificate names our group)
   */
  PeerApi(Hub hub, PeerToken tokens) {
    this.hub = hub;
    this.tokens = tokens;
    this.maxBody = hub.config.maxBodyBytes;
    this.limits = hub.config.limits;
  }

  void handle(HttpServerRequest req) {
    if (tokens != null && !tokens.allows(req.getHeader("Authorization"), System.currentTimeMillis())) {
      hub.metrics.peerAuthFailure();
      // A small body is drained first (see HttpSupport.readBody on resets) and the connection stays usable; a large
      // one is not read at all.
      HttpSupport.refuseAfterDrain(req, limits.unauthenticatedDrainBytes(), () -> {
        if (req.response().headers().contains("Connection")) hub.metrics.refused("peer", "unauthenticated_body");
        HttpSupport.error(req.response(),
            HubError.unauthorized("missing or wrong bearer token for group " + hub.config.group));
      });
      return;
    }
    String remote = req.remoteAddress() == null ? "?" : req.remoteAddress().host();
    int n = inProgress.getOrDefault(remote, 0);
    if (n >= limits.peerMaxConcurrentPerRemote()) {
      hub.metrics.refused("peer", "peer_concurrency");
      HttpSupport.refuseAfterDrain(req, limits.unauthenticatedDrainBytes(), () -> HttpSupport.error(req.response(),
          new HubError(429, "TooManyRequests", "peer " + remote + " has " + n + " requests in progress here, the "
              + "limit")));
      return;
    }
    inProgress.put(remote, n + 1);
    boolean[] released = {false};
    Runnable release = () -> {
      if (released[0]) return;
      released[0] = true;
      inProgress.computeIfPresent(remote, (k, v) -> v <= 1 ? null : v - 1);
    };
    req.response().endHandler(v -> release.run());
    req.response().closeHandler(v -> release.run());
    try {
      route(req);
    } catch (HubError e) {
      hub.metrics.badRequest("peer", e.name);
      HttpSupport.error(req.response(), e);
    } catch (RuntimeException e) {
      HttpSupport.error(req.response(), e);
    }
  }

  private void route(HttpServerRequest req) {
    String path = req.path();
    if (path.startsWith("/peer/v1/invoke/")) {
      AppApi.requireMethod(req, HttpMethod.POST);
      hub.metrics.peerRequest("in", "invoke");
      String[] parts = path.substring("/peer/v1/invoke/".length()).split("/", -1);
      if (parts.length != 2) throw HubError.badRequest("use /peer/v1/invoke/{object}/{method}");
      String object = Names.requireObject(parts[0]);
      String method = Names.requireMethod(parts[1]);
      long timeoutMs = AppApi.timeout(req.getHeader("Procgroup-Timeout-Ms"));
      boolean fanout = AppApi.fanout(req.getHeader(AppApi.FANOUT_HEADER));
      // Checked again here: an authenticated peer is still no reason to hand a malformed header to an app.
      TraceContext trace = TraceContext.fromHeaders(req.getHeader(TraceContext.TRACEPARENT),
          req.getHeader(TraceContext.TRACESTATE));
      String caller = req.getHeader(CALLER_POD_HEADER);
      if (caller != null && !Names.POD.matcher(caller).matches()) {
        throw HubError.badRequest("bad " + CALLER_POD_HEADER + " header: " + Names.abbreviate(caller));
      }
      Tracing.Span span = hub.tracing.start(Tracing.SERVER, trace, object, method, caller);
      if (span != null) req.response().putHeader(TraceContext.TRACERESPONSE, span.traceresponse());
      // The calling sidecar validated the arguments already (and is authenticated): no second JSON parse here.
      HttpSupport.readBody(req, maxBody, limits.tooLargeDrainBytes())
          .map(body -> body.length() == 0 ? Buffer.buffer("[]") : body)
          .onFailure(t -> hub.tracing.end(span, "peer", "bad_request"))
          .compose(args -> fanout
              ? hub.invokeAllFromPeer(object, method, args, timeoutMs, trace, span)
              : hub.invokeFromPeer(object, method, args, timeoutMs, trace, span))
          .onSuccess(body -> HttpSupport.json(req.response(), 200, body))
          .onFailure(t -> HttpSupport.error(req.response(), t));
    } else if (path.equals("/peer/v1/objects")) {
      AppApi.requireMethod(req, HttpMethod.GET);
      hub.metrics.peerRequest("in", "objects");
      HttpSupport.json(req.response(), 200, hub.localObjectsDocument().toBuffer());
    } else if (path.equals("/peer/v1/announce")) {
      AppApi.requireMethod(req, HttpMethod.POST);
      hub.metrics.peerRequest("in", "announce");
      HttpSupport.readBody(req, maxBody, limits.tooLargeDrainBytes())
          .map(PeerApi::jsonObject)
          .onSuccess(doc -> {
            try {
              hub.announced(doc);
              req.response().setStatusCode(204).end();
            } catch (HubError e) {
              HttpSupport.error(req.response(), e);
            }
          })
          .onFailure(t -> HttpSupport.error(req.response(), t));
    } else if (path.startsWith("/peer/v1/events/")) {
      AppApi.requireMethod(req, HttpMethod.POST);
      hub.metrics.peerRequest("in", "events");
      String event = Names.requireEvent(path.substring("/peer/v1/events/".length()));
      HttpSupport.readBody(req, maxBody, limits.tooLargeDrainBytes())
          .map(PeerApi::jsonObject)
          .onSuccess(doc -> {
            int n = hub.deliverFromPeer(event, io.vertx.core.json.Json.encode(doc.getValue("data")),
                doc.getValue("from") instanceof JsonObject f ? f : null);
            HttpSupport.json(req.response(), 200, new JsonObject().put("delivered", n).toBuffer());
          })
          .onFailure(t -> HttpSupport.error(req.response(), t));
    } else {
      throw new HubError(404, "NotFound", "no such peer endpoint: " + Names.abbreviate(path));
    }
  }

  static JsonObject jsonObject(Buffer body) {
    try {
      return new JsonObject(body);
    } catch (DecodeException | ClassCastException e) {
      throw HubError.badRequest("body must be a JSON object");
    }
  }
}
