package dev.procgroup.sidecar;

import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;

/** Requests to other sidecars' peer API ({@link PeerClient} in production, a fake in unit tests). */
interface PeerTransport {

  record Response(int status, Buffer body) {}

  /**
   * Fails only when the exchange itself failed (connection refused/reset); HTTP errors are a Response. With
   * {@code fanout}, every publisher of that pod answers ({@code {"replies":[...]}}).
   */
  Future<Response> invoke(Peer peer, String object, String method, Buffer args, long timeoutMs, boolean fanout,
                          Hub.RemoteInvocation call);

  Future<JsonObject> fetchObjects(Peer peer);

  Future<Void> announce(Peer peer, Buffer document);

  /** Resolves to the number of subscribers the peer reached. */
  Future<Integer> event(Peer peer, String event, Buffer body);
}
