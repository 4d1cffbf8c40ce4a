package dev.procgroup.sidecar;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.List;

/**
 * Spans as an OTLP {@code ExportTraceServiceRequest} in the protobuf JSON mapping OTLP/HTTP accepts: ids as hex
 * strings, 64-bit times as decimal strings, enums as numbers.
 */
final class OtlpJson {

  static final int STATUS_OK = 1, STATUS_ERROR = 2;

  private OtlpJson() {}

  static JsonObject traces(JsonObject resource, List<Tracing.Span> spans) {
    JsonArray out = new JsonArray();
    for (Tracing.Span s : spans) out.add(span(s));
    JsonObject scope = new JsonObject().put("name", "dev.procgroup.sidecar");
    return new JsonObject().put("resourceSpans", new JsonArray().add(new JsonObject().put("resource", resource)
        .put("scopeSpans", new JsonArray().add(new JsonObject().put("scope", scope).put("spans", out)))));
  }

  static JsonObject span(Tracing.Span s) {
    JsonArray attributes = new JsonArray()
        .add(attribute("rpc.system", "procgroup"))
        .add(attribute("rpc.service", s.object))
        .add(attribute("rpc.method", s.method))
        .add(attribute("procgroup.route", s.route))
        .add(attribute("procgroup.outcome", s.outcome));
    if (s.peerPod != null) attributes.add(attribute("procgroup.peer.pod", s.peerPod));
    boolean ok = "ok".equals(s.outcome);
    JsonObject status = new JsonObject().put("code", ok ? STATUS_OK : STATUS_ERROR);
    if (!ok) status.put("message", s.outcome);
    JsonObject span = new JsonObject().put("traceId", s.context.traceId()).put("spanId", s.spanId())
        .put("name", s.object + "/" + s.method).put("kind", s.kind)
        .put("startTimeUnixNano", Long.toString(s.startEpochNanos)).put("endTimeUnixNano", Long.toString(s.endNanos))
        .put("attributes", attributes).put("status", status);
    if (s.parentSpanId != null) span.put("parentSpanId", s.parentSpanId);
    if (s.context.tracestate() != null) span.put("traceState", s.context.tracestate());
    return span;
  }

  static JsonObject attribute(String key, String value) {
    return new JsonObject().put("key", key).put("value", new JsonObject().put("stringValue", value));
  }
}
