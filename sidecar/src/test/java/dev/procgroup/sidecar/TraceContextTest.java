package dev.procgroup.sidecar;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class TraceContextTest {

  static final String TRACE = "4bf92f3577b34da6a3ce929d0e0e4736";
  static final String PARENT = "00f067aa0ba902b7";

  @Test
  void aW3cTraceparentIsSplitIntoItsFieldsAndWrittenBackTheSame() {
    TraceContext c = TraceContext.fromHeaders("00-" + TRACE + "-" + PARENT + "-01", "congo=t61rcWkgMzE");
    assertThat(c.traceId()).isEqualTo(TRACE);
    assertThat(c.parentId()).isEqualTo(PARENT);
    assertThat(c.sampled()).isTrue();
    assertThat(c.traceparent()).isEqualTo("00-" + TRACE + "-" + PARENT + "-01");
    assertThat(c.tracestate()).isEqualTo("congo=t61rcWkgMzE");
    assertThat(TraceContext.fromHeaders("00-" + TRACE + "-" + PARENT + "-00", null).sampled()).isFalse();
  }

  @Test
  void noTraceparentIsNoContextEvenWithATracestate() {
    assertThat(TraceContext.fromHeaders(null, "a=b")).isNull();
  }

  @Test
  void malformedTraceparentsAreBadRequests() {
    for (String bad : new String[] {"", "01-" + TRACE + "-" + PARENT + "-01", "00-" + TRACE.toUpperCase() + "-" + PARENT
        + "-01", "00-" + "0".repeat(32) + "-" + PARENT + "-01", "00-" + TRACE + "-" + "0".repeat(16) + "-01",
        "00-" + TRACE + "-" + PARENT + "-1", "00-" + TRACE + "-" + PARENT + "-01-extra", " 00-" + TRACE + "-" + PARENT
        + "-01"}) {
      assertThatThrownBy(() -> TraceContext.fromHeaders(bad, null)).as(bad).isInstanceOf(HubError.class)
          .extracting(e -> ((HubError) e).status).isEqualTo(400);
    }
  }

  @Test
  void tracestateIsCheckedAgainstTheW3cListRulesAndCapped() {
    String tp = "00-" + TRACE + "-" + PARENT + "-01";
    assertThat(TraceContext.fromHeaders(tp, "rojo=00f067aa0ba902b7, ,tenant@vendor=x y").tracestate())
        .isEqualTo("rojo=00f067aa0ba902b7, ,tenant@vendor=x y");
    StringBuilder many = new StringBuilder();
    for (int i = 0; i <= TraceContext.MAX_TRACESTATE_MEMBERS; i++) many.append(i == 0 ? "" : ",").append("k").append(i).append("=v");
    for (String bad : new String[] {"Upper=x", "novalue", "k=v=w", "k=caf\u00e9", "k1=" + "v".repeat(255) + ",k2=" + "v".repeat(255),
        many.toString()}) {
      assertThatThrownBy(() -> TraceContext.fromHeaders(tp, bad)).as(bad).isInstanceOf(HubError.class)
          .extracting(e -> ((HubError) e).status).isEqualTo(400);
    }
  }

  @Test
  void aChildKeepsTheTraceAndNamesItsSpanAsParent() {
    TraceContext c = TraceContext.fromHeaders("00-" + TRACE + "-" + PARENT + "-01", "a=b").child("1111111111111111");
    assertThat(c.traceparent()).isEqualTo("00-" + TRACE + "-1111111111111111-01");
    assertThat(c.tracestate()).isEqualTo("a=b");
    TraceContext root = TraceContext.root(TraceContext.randomSpanId());
    assertThat(root.traceparent()).matches(Rules.name("traceparent"));
    assertThat(root.sampled()).isTrue();
  }

  @Test
  void theTracesPathIsAddedToABaseUrlOnly() {
    assertThat(OtlpExporter.tracesPath(java.net.URI.create("http://c:4318"))).isEqualTo("/v1/traces");
    assertThat(OtlpExporter.tracesPath(java.net.URI.create("http://c:4318/otlp/"))).isEqualTo("/otlp/v1/traces");
    assertThat(OtlpExporter.tracesPath(java.net.URI.create("http://c:4318/v1/traces"))).isEqualTo("/v1/traces");
    assertThatThrownBy(() -> OtlpExporter.endpoint("grpc://c:4317")).isInstanceOf(IllegalArgumentException.class);
  }
}
