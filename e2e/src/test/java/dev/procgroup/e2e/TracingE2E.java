package dev.procgroup.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.procgroup.api.v1alpha1.ProcessGroup;
import io.fabric8.kubernetes.api.model.NodeAddress;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Issue 11 part 3's acceptance: with the chart's tracing.otlpEndpoint pointing at a real OpenTelemetry Collector on the
 * node, a call from one pod to another is one trace in the collector's output, with spans from both apps and both
 * sidecars, each the child of the one before: caller app -> caller sidecar (CLIENT) -> provider sidecar (SERVER) ->
 * provider app. The chart's other values are kept (helm --reuse-values) and tracing is switched off again after.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class TracingE2E {
  static final Duration LONG = Duration.ofMinutes(4);

  LocalCluster cluster;
  KubernetesClient client;
  HostCollector collector;
  String ns;
  boolean installedHere;

  @BeforeAll
  void tracingOn() throws Exception {
    cluster = LocalCluster.get();
    client = cluster.client;
    String nodeIp = client.nodes().list().getItems().get(0).getStatus().getAddresses().stream()
        .filter(a -> "InternalIP".equals(a.getType())).map(NodeAddress::getAddress).findFirst().orElseThrow();
    collector = HostCollector.start(cluster.otelcol, nodeIp);
    installedHere = cluster.run(Duration.ofMinutes(1), null, cluster.helm, "status", "procgroup", "--namespace",
        ProcgroupE2E.OPERATOR_NS).exitCode() != 0;
    chart("tracing.otlpEndpoint=" + collector.endpoint);
    ns = cluster.newRestrictedNamespace("trace");
    String group = Files.readString(ProcgroupE2E.GROUPS.resolve("traced.yaml"))
        .replace("${OTLP_URL}", collector.endpoint + "/v1/traces");
    LocalCluster.Result applied = cluster.run(Duration.ofMinutes(1), group, cluster.kubectl, "apply", "-n", ns, "-f", "-");
    assertThat(applied.exitCode()).as(applied.out()).isZero();
    await().atMost(LONG).pollInterval(Duration.ofSeconds(1)).until(() -> {
      ProcessGroup pg = client.resources(ProcessGroup.class).inNamespace(ns).withName("traced").get();
      return pg != null && pg.getStatus() != null && "Running".equals(pg.getStatus().getPhase());
    });
  }

  /** The chart as installed, with {@code value} changed (installed with only that when no suite installed it). */
  private void chart(String value) {
    String chart = LocalCluster.ROOT.resolve("helm/procgroup").toString();
    if (installedHere) {
      cluster.helm("upgrade", "--install", "procgroup", chart, "--namespace", ProcgroupE2E.OPERATOR_NS,
          "--create-namespace", "--set", value, "--wait", "--timeout", "180s");
    } else {
      cluster.helm("upgrade", "procgroup", chart, "--namespace", ProcgroupE2E.OPERATOR_NS, "--reuse-values", "--set",
          value, "--wait", "--timeout", "180s");
    }
  }

  @AfterAll
  void tracingOff() throws Exception {
    try {
      if (ns != null) {
        cluster.kubectlResult("delete", "-n", ns, "procgroup/traced", "--wait=true", "--timeout=180s");
        client.namespaces().withName(ns).delete();
        await().atMost(LONG).until(() -> client.namespaces().withName(ns).get() == null);
      }
      if (installedHere) {
        cluster.helm("uninstall", "procgroup", "--namespace", ProcgroupE2E.OPERATOR_NS, "--wait", "--timeout", "120s");
      } else {
        chart("tracing.otlpEndpoint=");
      }
    } finally {
      if (collector != null) {
        Files.createDirectories(Path.of("target"));
        if (Files.exists(collector.output())) Files.copy(collector.output(), Path.of("target/tracing-spans.jsonl"),
            java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        collector.close();
      }
    }
  }

  @Test
  void aCallAcrossPodsIsOneTraceWithSpansFromBothSidecarsAndBothAppsInTheCollectorsOutput() throws Exception {
    String callerPod = podOf("caller"), providerPod = podOf("provider");
    // The caller makes a traced call every 3 s; one whose four spans all reached the collector is what is checked.
    Map<String, List<HostCollector.Span>> trace = await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofSeconds(1))
        .until(() -> completeTrace(collector.spans()), Optional::isPresent).orElseThrow();
    List<HostCollector.Span> spans = trace.values().iterator().next();
    HostCollector.Span callerApp = one(spans, s -> "traced-caller".equals(s.service()));
    HostCollector.Span clientSpan = one(spans, s -> "procgroup-hub".equals(s.service()) && s.kind() == 3);
    HostCollector.Span serverSpan = one(spans, s -> "procgroup-hub".equals(s.service()) && s.kind() == 2);
    HostCollector.Span providerApp = one(spans, s -> "traced-provider".equals(s.service()));

    assertThat(callerApp.pod()).isEqualTo(callerPod);
    assertThat(callerApp.parentSpanId()).as("the caller's span is the root").isEmpty();
    assertThat(clientSpan.pod()).isEqualTo(callerPod);
    assertThat(clientSpan.parentSpanId()).isEqualTo(callerApp.spanId());
    assertThat(clientSpan.span().path("name").asText()).isEqualTo("traced/work");
    assertThat(clientSpan.attribute("procgroup.route")).isEqualTo("remote");
    assertThat(clientSpan.attribute("procgroup.peer.pod")).isEqualTo(providerPod);
    assertThat(clientSpan.attribute("procgroup.outcome")).isEqualTo("ok");
    assertThat(serverSpan.pod()).isEqualTo(providerPod);
    assertThat(serverSpan.parentSpanId()).isEqualTo(clientSpan.spanId());
    assertThat(serverSpan.attribute("procgroup.peer.pod")).isEqualTo(callerPod);
    assertThat(providerApp.pod()).isEqualTo(providerPod);
    assertThat(providerApp.parentSpanId()).isEqualTo(serverSpan.spanId());
  }

  /** A trace id with exactly the four expected spans, from a caller's trace (its root span is the caller's). */
  static Optional<Map<String, List<HostCollector.Span>>> completeTrace(List<HostCollector.Span> all) {
    Map<String, List<HostCollector.Span>> byTrace = all.stream().collect(Collectors.groupingBy(HostCollector.Span::traceId));
    return byTrace.entrySet().stream().filter(e -> e.getValue().size() == 4
            && e.getValue().stream().anyMatch(s -> "traced-caller".equals(s.service()))
            && e.getValue().stream().anyMatch(s -> "traced-provider".equals(s.service())))
        .findFirst().map(e -> Map.of(e.getKey(), e.getValue()));
  }

  static HostCollector.Span one(List<HostCollector.Span> spans, java.util.function.Predicate<HostCollector.Span> p) {
    List<HostCollector.Span> matching = spans.stream().filter(p).toList();
    assertThat(matching).as("spans %s", spans).hasSize(1);
    return matching.get(0);
  }

  private String podOf(String process) {
    return client.pods().inNamespace(ns).withLabel("procgroup.dev/group", "traced")
        .withLabel("procgroup.dev/process", process).list().getItems().get(0).getMetadata().getName();
  }
}
