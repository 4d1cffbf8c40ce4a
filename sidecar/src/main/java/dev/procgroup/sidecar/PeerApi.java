package dev.procgroup.sidecar;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;

/** The peer API on the pod IP :7071 (PROTOCOL.md "Peer API"), bearer-token authenticated. */
final class PeerApi {

  private final Hub hub;
  private final TokenCheck tokens;
  private final int maxBody;

  PeerApi(Hub hub) {
    this.hub = hub;
    this.tokens = new TokenCheck(hub.config.hubToken);
    this.maxBody = hub.config.maxBodyBytes;
  }

  void handle(HttpServerRequest req) {
    if (!tokens.allows(req.getHeader("Authorization"))) {
      hub.metrics.peerAuthFailure();
      // Drain the body before answering (see HttpSupport.readBody on resets); the connection stays usable.
      HttpSupport.drainThen(req, () -> HttpSupport.error(req.response(),
          HubError.unauthorized("missing or wrong bearer token for group " + hub.config.group)));
      return;
    }
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
      // The calling sidecar validated the arguments already (and is authenticated): no second JSON parse here.
      HttpSupport.readBody(req, maxBody)
          .map(body -> body.length() == 0 ? Buffer.buffer("[]") : body)
          .compose(args -> hub.invokeFromPeer(object, method, args, timeoutMs))
          .onSuccess(body -> HttpSupport.json(req.response(), 200, body))
          .onFailure(t -> HttpSupport.error(req.response(), t));
    } else if (path.equals("/peer/v1/objects")) {
      AppApi.requireMethod(req, HttpMethod.GET);
      hub.metrics.peerRequest("in", "objects");
      HttpSupport.json(req.response(), 200, hub.localObjectsDocument().toBuffer());
    } else if (path.equals("/peer/v1/announce")) {
      AppApi.requireMethod(req, HttpMethod.POST);
      hub.metrics.peerRequest("in", "announce");
      HttpSupport.readBody(req, maxBody)
          .map(PeerApi::jsonObject)
          .onSuccess(doc -> {
            try {
              hub.applyObjects(doc);
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
      HttpSupport.readBody(req, maxBody)
          .map(PeerApi::jsonObject)
          .onSuccess(doc -> {
            int n = hub.deliverFromPeer(event, io.vertx.core.json.Json.encode(doc.getValue("data")),
                doc.getValue("from") instanceof JsonObject f ? f : null);
            HttpSupport.json(req.response(), 200, "{\"delivered\":" + n + "}");
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
