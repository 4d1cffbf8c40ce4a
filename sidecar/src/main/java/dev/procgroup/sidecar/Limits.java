package dev.procgroup.sidecar;

import java.util.Map;

/**
 * Every limit that protects the sidecar's ports, in one place (README.md "Limits" lists them with their
 * environment variables). The app port (127.0.0.1) and the peer port (pod IP) get the same read timeouts; the peer
 * port, reachable from the network, gets the tighter connection cap and the per-peer concurrency caps.
 *
 * @param headerReadTimeoutMs first byte of a request to the end of its headers (slowloris); 408 and close
 * @param bodyReadTimeoutMs end of the headers to the end of the body (slow bodies); 408 and close
 * @param appIdleTimeoutMs an HTTP keep-alive connection on the app port with no request in progress is closed
 *     after this long (a request waiting for its answer is not idle)
 * @param peerIdleTimeoutMs the same on the peer port; longer than the peer client's own pool idle timeout
 *     ({@link #peerClientIdleTimeoutMs}), so the client side closes first and never sends on a closing connection
 * @param peerClientIdleTimeoutMs pooled connections to peers unused this long are closed by this sidecar (rounded up
 *     to whole seconds: the Vert.x keep-alive timeout; calls waiting for their answer are never cut by it)
 * @param webSocketPingMs the app's WebSocket (/v1/connect) is pinged this often
 * @param webSocketIdleTimeoutMs a WebSocket from which nothing (not even a pong) arrived this long is closed
 * @param appMaxConnections open connections on the app port beyond which new ones get 503 and are closed
 * @param peerMaxConnections the same on the peer port
 * @param peerMaxConcurrentPerRemote peer requests in progress from one remote address; more get 429
 * @param peerPoolPerPeer connections this sidecar opens to one peer; calls beyond wait in that peer's queue
 * @param peerQueuePerPeer calls waiting for a connection to one peer; more fail at once with 503 PeerBusy
 * @param unauthenticatedDrainBytes at most this much of a refused (401) request body is read before answering;
 *     a longer or chunked body is not read at all: 401 with {@code Connection: close}
 * @param tooLargeDrainBytes a body over the body limit (413) is read and dropped up to this size so that the
 *     client sees the 413 (closing with unread input makes the kernel send a reset); beyond, the connection closes
 * @param maxInitialLineBytes request line limit (414 above it)
 * @param maxHeaderBytes all request headers together (431 above it)
 */
public record Limits(
    long headerReadTimeoutMs,
    long bodyReadTimeoutMs,
    long appIdleTimeoutMs,
    long peerIdleTimeoutMs,
    long peerClientIdleTimeoutMs,
    long webSocketPingMs,
    long webSocketIdleTimeoutMs,
    int appMaxConnections,
    int peerMaxConnections,
    int peerMaxConcurrentPerRemote,
    int peerPoolPerPeer,
    int peerQueuePerPeer,
    int unauthenticatedDrainBytes,
    long tooLargeDrainBytes,
    int maxInitialLineBytes,
    int maxHeaderBytes) {

  public static Limits defaults() {
    return new Limits(10_000, 30_000, 300_000, 90_000, 60_000, 20_000, 60_000, 1024, 512, 256, 16, 256, 4096,
        64L << 20, 8192, 16_384);
  }

  /** The defaults, each overridable by {@code PROCGROUP_LIMIT_<NAME>} (README.md). */
  public static Limits fromEnv(Map<String, String> env) {
    Limits d = defaults();
    return new Limits(
        num(env, "HEADER_READ_TIMEOUT_MS", d.headerReadTimeoutMs),
        num(env, "BODY_READ_TIMEOUT_MS", d.bodyReadTimeoutMs),
        num(env, "APP_IDLE_TIMEOUT_MS", d.appIdleTimeoutMs),
        num(env, "PEER_IDLE_TIMEOUT_MS", d.peerIdleTimeoutMs),
        num(env, "PEER_CLIENT_IDLE_TIMEOUT_MS", d.peerClientIdleTimeoutMs),
        num(env, "WEBSOCKET_PING_MS", d.webSocketPingMs),
        num(env, "WEBSOCKET_IDLE_TIMEOUT_MS", d.webSocketIdleTimeoutMs),
        (int) num(env, "APP_MAX_CONNECTIONS", d.appMaxConnections),
        (int) num(env, "PEER_MAX_CONNECTIONS", d.peerMaxConnections),
        (int) num(env, "PEER_MAX_CONCURRENT_PER_REMOTE", d.peerMaxConcurrentPerRemote),
        (int) num(env, "PEER_POOL_PER_PEER", d.peerPoolPerPeer),
        (int) num(env, "PEER_QUEUE_PER_PEER", d.peerQueuePerPeer),
        (int) num(env, "UNAUTHENTICATED_DRAIN_BYTES", d.unauthenticatedDrainBytes),
        num(env, "TOO_LARGE_DRAIN_BYTES", d.tooLargeDrainBytes),
        (int) num(env, "MAX_INITIAL_LINE_BYTES", d.maxInitialLineBytes),
        (int) num(env, "MAX_HEADER_BYTES", d.maxHeaderBytes)).validated();
  }

  /** Refuses settings that would switch a protection off or contradict each other. */
  public Limits validated() {
    if (headerReadTimeoutMs < 1 || bodyReadTimeoutMs < 1 || appIdleTimeoutMs < 1 || peerIdleTimeoutMs < 1
        || peerClientIdleTimeoutMs < 1 || webSocketPingMs < 1 || webSocketIdleTimeoutMs < 1) {
      throw new IllegalArgumentException("PROCGROUP_LIMIT_*: timeouts must be at least 1 ms");
    }
    if (appMaxConnections < 1 || peerMaxConnections < 1 || peerMaxConcurrentPerRemote < 1 || peerPoolPerPeer < 1
        || peerQueuePerPeer < 0 || unauthenticatedDrainBytes < 0 || tooLargeDrainBytes < 0
        || maxInitialLineBytes < 256 || maxHeaderBytes < 1024) {
      throw new IllegalArgumentException("PROCGROUP_LIMIT_*: caps must be positive (line >= 256, headers >= 1024)");
    }
    if (webSocketPingMs >= webSocketIdleTimeoutMs) {
      throw new IllegalArgumentException("PROCGROUP_LIMIT_WEBSOCKET_PING_MS must be below the WebSocket idle timeout");
    }
    if ((peerClientIdleTimeoutMs + 999) / 1000 * 1000 >= peerIdleTimeoutMs) {
      throw new IllegalArgumentException("PROCGROUP_LIMIT_PEER_CLIENT_IDLE_TIMEOUT_MS must be below the peer "
          + "port's idle timeout (the client must close first)");
    }
    return this;
  }

  private static long num(Map<String, String> env, String name, long dflt) {
    String v = env.get("PROCGROUP_LIMIT_" + name);
    if (v == null || v.isBlank()) return dflt;
    try {
      return Long.parseLong(v.trim());
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("PROCGROUP_LIMIT_" + name + " must be an integer, was: " + v);
    }
  }

  /** A copy with other read timeouts (tests). */
  public Limits withReadTimeouts(long headerMs, long bodyMs) {
    return new Limits(headerMs, bodyMs, appIdleTimeoutMs, peerIdleTimeoutMs, peerClientIdleTimeoutMs,
        webSocketPingMs, webSocketIdleTimeoutMs, appMaxConnections, peerMaxConnections, peerMaxConcurrentPerRemote,
        peerPoolPerPeer, peerQueuePerPeer, unauthenticatedDrainBytes, tooLargeDrainBytes, maxInitialLineBytes,
        maxHeaderBytes).validated();
  }

  /** A copy with other idle timeouts (tests). */
  public Limits withIdleTimeouts(long appMs, long peerMs, long peerClientMs, long wsPingMs, long wsIdleMs) {
    return new Limits(headerReadTimeoutMs, bodyReadTimeoutMs, appMs, peerMs, peerClientMs, wsPingMs, wsIdleMs,
        appMaxConnections, peerMaxConnections, peerMaxConcurrentPerRemote, peerPoolPerPeer, peerQueuePerPeer,
        unauthenticatedDrainBytes, tooLargeDrainBytes, maxInitialLineBytes, maxHeaderBytes).validated();
  }

  /** A copy with other caps (tests). */
  public Limits withCaps(int appConnections, int peerConnections, int perRemote, int poolPerPeer, int queuePerPeer) {
    return new Limits(headerReadTimeoutMs, bodyReadTimeoutMs, appIdleTimeoutMs, peerIdleTimeoutMs,
        peerClientIdleTimeoutMs, webSocketPingMs, webSocketIdleTimeoutMs, appConnections, peerConnections, perRemote,
        poolPerPeer, queuePerPeer, unauthenticatedDrainBytes, tooLargeDrainBytes, maxInitialLineBytes,
        maxHeaderBytes).validated();
  }
}
