package dev.procgroup.sidecar;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClientAgent;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.json.JsonObject;

/**
 * The peer API client: one pooled keep-alive HTTP/1.1 client for all peers (Vert.x pools per host:port).
 * Every request carries the group token.
 */
final class PeerClient implements PeerTransport {

  /** Connections kept per peer; calls beyond wait in the pool queue. */
  static final int POOL_PER_PEER = 16;
  static final long CONTROL_TIMEOUT_MS = 5000;

  private final HttpClientAgent client;
  private final String authorization;

  PeerClient(Vertx vertx, String token) {
    this.client = vertx.createHttpClient(new HttpClientOptions()
        .setKeepAlive(true)
        .setTcpNoDelay(true)
        .setConnectTimeout(2000)
        .setIdleTimeout(60)
        .setMaxInitialLineLength(8192), new PoolOptions().setHttp1MaxSize(POOL_PER_PEER).setMaxWaitQueueSize(4096));
    this.authorization = "Bearer " + token;
  }

  /** @param timeoutMs idle timeout of the exchange; 0 = none (invoke: the hub's own call timer decides) */
  private RequestOptions options(Peer peer, HttpMethod method, String uri, long timeoutMs) {
    String address = peer.address;
    int colon = address.lastIndexOf(':');
    String host = address.substring(0, colon);
    if (host.startsWith("[") && host.endsWith("]")) host = host.substring(1, host.length() - 1);
    return new RequestOptions().setMethod(method).setHost(host).setPort(Integer.parseInt(address.substring(colon + 1)))
        .setURI(uri).setConnectTimeout(2000).setIdleTimeout(timeoutMs > 0 ? timeoutMs : -1)
        .putHeader("Authorization", authorization).putHeader("Content-Type", "application/json");
  }

  @Override public Future<Response> invoke(Peer peer, String object, String method, Buffer args, long timeoutMs,
                                           Hub.RemoteInvocation call) {
    // No idle timer per request: the hub's own call timer answers the caller at timeoutMs, and the peer
    // answers 504 at the same deadline, which frees the pooled connection.
    RequestOptions o = options(peer, HttpMethod.POST, "/peer/v1/invoke/" + object + "/" + method, 0)
        .putHeader("Procgroup-Timeout-Ms", Long.toString(timeoutMs));
    return client.request(o).compose(req -> {
      call.abort = () -> req.reset();
      return req.send(args).compose(PeerClient::toResponse);
    });
  }

  @Override public Future<JsonObject> fetchObjects(Peer peer) {
    return client.request(options(peer, HttpMethod.GET, "/peer/v1/objects", CONTROL_TIMEOUT_MS))
        .compose(req -> req.send().compose(PeerClient::toResponse)).compose(r -> r.status() == 200
            ? Future.succeededFuture(new JsonObject(r.body()))
            : Future.failedFuture("HTTP " + r.status() + " " + r.body()));
  }

  @Override public Future<Void> announce(Peer peer, Buffer document) {
    return client.request(options(peer, HttpMethod.POST, "/peer/v1/announce", CONTROL_TIMEOUT_MS))
        .compose(req -> req.send(document).compose(PeerClient::toResponse)).compose(r -> r.status() / 100 == 2
            ? Future.succeededFuture() : Future.failedFuture("HTTP " + r.status() + " " + r.body()));
  }

  @Override public Future<Integer> event(Peer peer, String event, Buffer body) {
    return client.request(options(peer, HttpMethod.POST, "/peer/v1/events/" + event, CONTROL_TIMEOUT_MS))
        .compose(req -> req.send(body).compose(PeerClient::toResponse)).compose(r -> r.status() / 100 == 2
            ? Future.succeededFuture(new JsonObject(r.body()).getInteger("delivered", 0))
            : Future.failedFuture("HTTP " + r.status() + " " + r.body()));
  }

  /** Called in the callback that receives the response (never one future later, when the body may be gone). */
  private static Future<Response> toResponse(HttpClientResponse resp) {
    return resp.body().map(b -> new Response(resp.statusCode(), b));
  }

  Future<Void> close() {
    return client.close();
  }
}
