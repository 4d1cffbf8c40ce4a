package dev.procgroup.sidecar;

import io.vertx.core.Promise;
import io.vertx.core.json.JsonObject;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * One app process's WebSocket to its sidecar: what it published, what it subscribed to, and the calls waiting
 * for its answer. Confined to the sidecar's single event loop, so no locking.
 */
final class PublisherConnection {

  /** A call sent to this connection as an {@code invoke} frame, waiting for its result/error frame. */
  static final class PendingCall {
    final String object;
    /** Completed with the result as JSON text. */
    final Promise<String> promise;
    long timerId = -1;

    PendingCall(String object, Promise<String> promise) {
      this.object = object;
      this.promise = promise;
    }
  }

  final long id;
  final FrameSink sink;
  /** object name -> methods, in publish order. */
  final Map<String, List<String>> objects = new LinkedHashMap<>();
  /** object name -> its data properties (readable with the client's getProperty; never called by the hub). */
  final Map<String, List<String>> properties = new HashMap<>();
  final Set<String> subscriptions = new HashSet<>();
  final Map<String, PendingCall> pending = new HashMap<>();
  private long nextCallId;
  boolean closed;

  PublisherConnection(long id, FrameSink sink) {
    this.id = id;
    this.sink = sink;
  }

  String nextCallId() {
    return Long.toString(++nextCallId);
  }

  void send(JsonObject frame) {
    sink.send(frame.encode());
  }
}
