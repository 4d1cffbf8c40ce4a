package dev.procgroup.sidecar;

import java.time.Instant;

/**
 * The sidecar's spans: one per hop of a call, CLIENT on the caller's sidecar (the app's call), SERVER on the
 * provider's (the peer's call), each the child of the context it received and the parent of the one it hands on.
 * {@link #OFF} (no OTLP endpoint) makes no span at all: the caller's context is forwarded as received, so the cost of
 * tracing being off is parsing and forwarding the headers.
 */
final class Tracing {

  /** Where ended spans go (the OTLP exporter); must never block nor throw. */
  interface Sink {
    void accept(Span span);
  }

  static final Tracing OFF = new Tracing(null);
  /** OTLP span kinds. */
  static final int SERVER = 2, CLIENT = 3;

  private final Sink sink;

  Tracing(Sink sink) {
    this.sink = sink;
  }

  boolean on() {
    return sink != null;
  }

  /**
   * A recorded span for a call that arrived with {@code incoming} (null: none, the span starts a trace); null when
   * tracing is off or the caller did not sample the trace (its context then goes on unchanged, and no span is made
   * that its trace would miss the parent of).
   */
  Span start(int kind, TraceContext incoming, String object, String method, String peerPod) {
    if (sink == null || (incoming != null && !incoming.sampled())) return null;
    String spanId = TraceContext.randomSpanId();
    TraceContext context = incoming == null ? TraceContext.root(spanId) : incoming.child(spanId);
    return new Span(kind, context, incoming == null ? null : incoming.parentId(), object, method, peerPod);
  }

  /** What a hop hands on: its own span's context when it made one, else what it received (maybe null). */
  static TraceContext forward(Span span, TraceContext received) {
    return span == null ? received : span.context;
  }

  /** Ends {@code span} (null: not recorded) and queues it for export. */
  void end(Span span, String route, String outcome) {
    if (span == null || span.endNanos != 0) return;
    span.endNanos = span.startEpochNanos + (System.nanoTime() - span.startNanoTime);
    span.route = route;
    span.outcome = outcome;
    sink.accept(span);
  }

  /** One hop. {@code context.parentId()} is this span's own id (what its children name as their parent). */
  static final class Span {
    final int kind;
    final TraceContext context;
    /** The caller's span id; null for a root. */
    final String parentSpanId;
    final String object, method;
    /** The other end: the provider's pod (CLIENT; set once chosen), the caller's (SERVER, when it said). */
    String peerPod;
    final long startEpochNanos;
    private final long startNanoTime = System.nanoTime();
    long endNanos;
    String route, outcome;

    Span(int kind, TraceContext context, String parentSpanId, String object, String method, String peerPod) {
      this.kind = kind;
      this.context = context;
      this.parentSpanId = parentSpanId;
      this.object = object;
      this.method = method;
      this.peerPod = peerPod;
      Instant now = Instant.now();
      this.startEpochNanos = now.getEpochSecond() * 1_000_000_000L + now.getNano();
    }

    String spanId() {
      return context.parentId();
    }

    /** The {@code traceresponse} header value naming this span. */
    String traceresponse() {
      return context.traceparent();
    }
  }
}
