package dev.procgroup.sidecar;

import java.util.List;

/** The hub's own metric families (names listed in README.md). Event-loop confined. */
final class HubMetrics {

  final Prom.Simple calls = Prom.counter("procgroup_hub_calls_total",
      "Calls made through this sidecar's app API, by object, method, route (local|remote|fanout|none) and outcome.",
      "object", "method", "route", "outcome");
  final Prom.Histogram callSeconds = new Prom.Histogram("procgroup_hub_call_duration_seconds",
      "Latency of calls made through this sidecar's app API, from request to answer.", Prom.LATENCY_BUCKETS,
      "object", "method", "route");
  final Prom.Simple served = Prom.counter("procgroup_hub_served_calls_total",
      "Calls served by this pod's publishers (from this pod or from peers), by object, method, caller and outcome.",
      "object", "method", "caller", "outcome");
  final Prom.Histogram servedSeconds = new Prom.Histogram("procgroup_hub_served_call_duration_seconds",
      "Time this pod's publishers took to answer, from invoke frame sent to result or error received.",
      Prom.LATENCY_BUCKETS, "object", "method");
  final Prom.Simple publishers = Prom.gauge("procgroup_hub_publishers_connected",
      "App WebSocket connections to this sidecar (/v1/connect).");
  final Prom.Simple published = Prom.gauge("procgroup_hub_published_objects",
      "Objects published by this pod's connections.");
  final Prom.Simple subscriptions = Prom.gauge("procgroup_hub_event_subscriptions",
      "Event subscriptions held by this pod's connections.");
  final Prom.Simple remoteObjects = Prom.gauge("procgroup_hub_remote_objects",
      "Objects published by peers, as known to this sidecar.");
  final Prom.Simple peers = Prom.gauge("procgroup_hub_peers", "Peer pods of the group, by state.", "state");
  final Prom.Simple peerRequests = Prom.counter("procgroup_hub_peer_requests_total",
      "Peer API requests, by direction (in|out) and operation.", "direction", "op");
  final Prom.Simple peerErrors = Prom.counter("procgroup_hub_peer_errors_total",
      "Peer API requests sent that failed at the transport or HTTP level, by operation and reason.", "op", "reason");
  final Prom.Simple peerAuthFailures = Prom.counter("procgroup_hub_peer_auth_failures_total",
      "Peer API requests refused for a missing or wrong bearer token, or TLS handshakes failed on the peer port.");
  final Prom.Simple eventsBroadcast = Prom.counter("procgroup_hub_events_broadcast_total",
      "Events broadcast by this pod's app (POST /v1/events).");
  final Prom.Simple eventsDelivered = Prom.counter("procgroup_hub_events_delivered_total",
      "Event frames delivered to this pod's subscribers.");
  final Prom.Simple badRequests = Prom.counter("procgroup_hub_bad_requests_total",
      "Requests or frames refused as malformed, by API (app|peer|ws|metrics) and reason.", "api", "reason");
  final Prom.Simple refused = Prom.counter("procgroup_hub_connections_refused_total",
      "Connections closed or requests refused by a port limit, by API (app|peer) and reason (connection_cap, "
          + "header_timeout, body_timeout, idle_timeout, peer_concurrency, unauthenticated_body, peer_busy, "
          + "dropped_late).", "api", "reason");
  final Prom.Simple identityRenewals = Prom.counter("procgroup_hub_identity_renewals_total",
      "Peer certificate requests to the identity issuer, by outcome (ok|failed).", "outcome");
  final Prom.Simple identityExpiry = Prom.gauge("procgroup_hub_identity_expiry_timestamp_seconds",
      "When the current peer certificate expires, Unix seconds (absent without mTLS).");
  final Prom.Simple lateAnswers = Prom.counter("procgroup_hub_late_answers_total",
      "Result/error frames that arrived after their call had timed out or failed.");
  final Prom.Simple discoveryEvents = Prom.counter("procgroup_hub_discovery_events_total",
      "EndpointSlice events of the hub Service seen by discovery, by type (ADDED|MODIFIED|DELETED|RELIST).", "type");
  final Prom.Simple discoveryErrors = Prom.counter("procgroup_hub_discovery_errors_total",
      "Failed list/watch requests to the Kubernetes API.");

  final Prom.Simple spansExported = Prom.counter("procgroup_hub_trace_spans_exported_total",
      "Spans this sidecar sent to the OTLP endpoint and that it accepted (tracing on).");
  final Prom.Simple spansDropped = Prom.counter("procgroup_hub_trace_spans_dropped_total",
      "Spans not exported, by reason (queue_full: the export queue was full; export_failed: their batch failed).",
      "reason");
  final Prom.Simple traceExportFailures = Prom.counter("procgroup_hub_trace_export_failures_total",
      "Span batches the OTLP endpoint did not accept (unreachable, timeout, non-2xx answer).");

  private final List<Prom.Family> families = List.of(calls, callSeconds, served, servedSeconds, publishers,
      published, subscriptions, remoteObjects, peers, peerRequests, peerErrors, peerAuthFailures, eventsBroadcast,
      eventsDelivered, badRequests, refused, identityRenewals, identityExpiry, lateAnswers, discoveryEvents, discoveryErrors,
      spansExported, spansDropped, traceExportFailures);

  HubMetrics() {
    publishers.set(0);
    published.set(0);
    subscriptions.set(0);
    remoteObjects.set(0);
    peers.set(0, "ready");
    peers.set(0, "unready");
    peerAuthFailures.set(0);
    eventsBroadcast.set(0);
    eventsDelivered.set(0);
    lateAnswers.set(0);
    discoveryErrors.set(0);
    spansExported.set(0);
    traceExportFailures.set(0);
  }

  void call(String object, String method, String route, String outcome, double seconds) {
    calls.inc(object, method, route, outcome);
    callSeconds.observe(seconds, object, method, route);
  }

  void served(String object, String method, String caller, String outcome, double seconds) {
    served.inc(object, method, caller, outcome);
    servedSeconds.observe(seconds, object, method);
  }

  void publishersConnected(int n) { publishers.set(n); }
  void publishedObjects(int n) { published.set(n); }
  void subscriptions(int n) { subscriptions.set(n); }
  void badRequest(String api, String reason) { badRequests.inc(api, reason); }
  void refused(String api, String reason) { refused.inc(api, reason); }
  void identityRenewal(String outcome, double expiresAt) {
    identityRenewals.inc(outcome);
    if (expiresAt > 0) identityExpiry.set(expiresAt);
  }
  void lateAnswer() { lateAnswers.inc(); }
  void eventsDelivered(int n) { eventsDelivered.add(n); }
  void eventBroadcast() { eventsBroadcast.inc(); }
  void peerRequest(String direction, String op) { peerRequests.inc(direction, op); }
  void peerError(String op, String reason) { peerErrors.inc(op, reason); }
  void peerAuthFailure() { peerAuthFailures.inc(); }
  void discoveryEvent(String type) { discoveryEvents.inc(type); }
  void discoveryError() { discoveryErrors.inc(); }
  void spansExported(int n) { spansExported.add(n); }
  void spansDropped(String reason, int n) { spansDropped.add(n, reason); }
  void traceExportFailure() { traceExportFailures.inc(); }

  void peers(int ready, int unready, int remoteObjectCount) {
    peers.set(ready, "ready");
    peers.set(unready, "unready");
    remoteObjects.set(remoteObjectCount);
  }

  void write(StringBuilder sb) {
    for (Prom.Family f : families) f.write(sb);
  }
}
