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
import io.vertx.core.net.KeyCertOptions;
import io.vertx.core.net.TrustOptions;
import java.util.Set;
import java.util.function.UnaryOperator;

/**
 * The peer API client: one pooled keep-alive HTTP/1.1 client for all peers (Vert.x pools per host:port).
 * Every request carries the group token.
 */
final class PeerClient implements PeerTransport {

  static final long CONTROL_TIMEOUT_MS = 5000;
  static final int CONNECT_TIMEOUT_MS = 2000;

  private final HttpClientAgent client;
  private final PeerToken token;
  private final HubMetrics metrics;
  /** This pod's name, sent with traced calls ({@link PeerApi#CALLER_POD_HEADER}). */
  private final String callerPod;

  /**
   * Per peer (Vert.x pools per host:port) at most {@link Limits#peerPoolPerPeer} connections and
   * {@link Limits#peerQueuePerPeer} calls waiting for one; a call beyond fails at once (503 PeerBusy).
   */
  /** @param token the group's bearer token, null with mTLS ({@code identity}) */
  PeerClient(Vertx vertx, PeerToken token, PeerIdentity identity, Limits limits, HubMetrics metrics, String callerPod) {
    HttpClientOptions options = new HttpClientOptions();
    if (identity != null) {
      // mTLS, TLS 1.3 only: our current certificate, and the peer's must chain to the group CA and name our group
      // (PeerIdentity's trust manager). Peers are dialled by pod IP, which no certificate names: no host check.
      options.setSsl(true).setUseAlpn(false).setVerifyHost(false)
          .setKeyCertOptions(KeyCertOptions.wrap(identity.keyManager()))
          .setTrustOptions(TrustOptions.wrap(identity.trustManager()))
          .setEnabledSecureTransportProtocols(Set.of("TLSv1.3"));
    }
    this.client = vertx.createHttpClient(options
        .setKeepAlive(true)
        .setTcpNoDelay(true)
        .setConnectTimeout(CONNECT_TIMEOUT_MS)
        // Not setIdleTimeout: that cuts a connection whose call waits quietly for its answer. The keep-alive timeout
        // closes only connections idle in the pool (Vert.x counts it in whole seconds).
        .setKeepAliveTimeout((int) Math.max(1, (limits.peerClientIdleTimeoutMs() + 999) / 1000))
        .setMaxInitialLineLength(8192),
        new PoolOptions().setHttp1MaxSize(limits.peerPoolPerPeer()).setMaxWaitQueueSize(limits.peerQueuePerPeer()));
    this.token = identity != null ? null : token;
    this.metrics = metrics;
    this.callerPod = callerPod;
  }

  /** @param timeoutMs idle timeout of the exchange; 0 = none (invoke: the hub's own call timer decides) */
  private RequestOptions options(Peer peer, HttpMethod method, String uri, long timeoutMs, String bearer) {
    String address = peer.address;
    int colon = address.lastIndexOf(':');
    String host = address.substring(0, colon);
    if (host.startsWith("[") && host.endsWith("]")) host = host.substring(1, host.length() - 1);
    RequestOptions o = new RequestOptions().setMethod(method).setHost(host).setPort(Integer.parseInt(address.substring(colon + 1)))
        .setURI(uri).setConnectTimeout(CONNECT_TIMEOUT_MS).setIdleTimeout(timeoutMs > 0 ? timeoutMs : -1)
        .putHeader("Content-Type", "application/json");
    if (bearer != null) o.putHeader("Authorization", "Bearer " + bearer);
    return o;
  }

  /**
   * One request; with the bearer token, a 401 while a token change is in its grace period is retried once with the
   * previous token: that peer's kubelet has not updated its copy of the Secret yet.
   */
  private Future<Response> exchange(Peer peer, HttpMethod method, String uri, long timeoutMs, Buffer body,
                                    UnaryOperator<RequestOptions> extra, Hub.RemoteInvocation call) {
    return once(peer, method, uri, timeoutMs, body, extra, call, token == null ? null : token.current())
        .compose(r -> {
          String previous = token == null ? null : token.previous(System.currentTimeMillis());
          if (r.status() == 401 && previous != null && (call == null || !call.settled())) {
            return once(peer, method, uri, timeoutMs, body, extra, call, previous);
          }
          return Future.succeededFuture(r);
        });
  }

  private Future<Response> once(Peer peer, HttpMethod method, String uri, long timeoutMs, Buffer body,
                                UnaryOperator<RequestOptions> extra, Hub.RemoteInvocation call, String bearer) {
    return client.request(extra.apply(options(peer, method, uri, timeoutMs, bearer))).compose(req -> {
      if (call != null) {
        if (call.settled()) {
          metrics.refused("peer", "dropped_late");
          req.reset();
          return Future.failedFuture("the call ended while it waited for a connection");
        }
        call.abort = () -> req.reset();
      }
      return (body == null ? req.send() : req.send(body)).compose(PeerClient::toResponse);
    });
  }

  @Override public Future<Response> invoke(Peer peer, String object, String method, Buffer args, long timeoutMs,
                                           boolean fanout, Hub.RemoteInvocation call) {
    // No idle timer per request: the hub's own call timer answers the caller at timeoutMs and then aborts the
    // exchange (call.abort resets it, which closes that connection: nothing late is read or sent on it). Waiting in
    // the pool queue is bounded by the same deadline (the request's connect timeout covers the wait for a pooled
    // connection), and a call that ended while queued is never sent.
    return exchange(peer, HttpMethod.POST, "/peer/v1/invoke/" + object + "/" + method, 0, args,
        o -> {
          if (fanout) o.putHeader(AppApi.FANOUT_HEADER, AppApi.FANOUT_ALL);
          TraceContext trace = call.trace;
          if (trace != null) {
            o.putHeader(TraceContext.TRACEPARENT, trace.traceparent());
            if (trace.tracestate() != null) o.putHeader(TraceContext.TRACESTATE, trace.tracestate());
            o.putHeader(PeerApi.CALLER_POD_HEADER, callerPod);
          }
          return o.putHeader("Procgroup-Timeout-Ms", Long.toString(timeoutMs)).setConnectTimeout(Math.max(1, timeoutMs));
        },
        call);
  }

  @Override public Future<JsonObject> fetchObjects(Peer peer) {
    return exchange(peer, HttpMethod.GET, "/peer/v1/objects", CONTROL_TIMEOUT_MS, null, o -> o, null)
        .compose(r -> r.status() == 200
            ? Future.succeededFuture(new JsonObject(r.body()))
            : Future.failedFuture("HTTP " + r.status() + " " + r.body()));
  }

  @Override public Future<Void> announce(Peer peer, Buffer document) {
    return exchange(peer, HttpMethod.POST, "/peer/v1/announce", CONTROL_TIMEOUT_MS, document, o -> o, null)
        .compose(r -> r.status() / 100 == 2
            ? Future.succeededFuture() : Future.failedFuture("HTTP " + r.status() + " " + r.body()));
  }

  @Override public Future<Integer> event(Peer peer, String event, Buffer body) {
    return exchange(peer, HttpMethod.POST, "/peer/v1/events/" + event, CONTROL_TIMEOUT_MS, body, o -> o, null)
        .compose(r -> r.status() / 100 == 2
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
