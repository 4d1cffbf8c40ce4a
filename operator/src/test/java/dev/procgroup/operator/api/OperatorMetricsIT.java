package dev.procgroup.operator.api;

import static dev.procgroup.operator.Specs.group;
import static dev.procgroup.operator.Specs.process;
import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The operator's own endpoints: Prometheus text that promtool accepts, and the health probes. */
class OperatorMetricsIT extends ApiTestSupport {
  final HttpClient http = HttpClient.newHttpClient();

  String scrape(String path) throws Exception {
    HttpResponse<String> r = http.send(HttpRequest.newBuilder(
        URI.create("http://127.0.0.1:" + cluster.operator.httpPort() + path)).build(), HttpResponse.BodyHandlers.ofString());
    assertThat(r.statusCode()).as(path).isEqualTo(200);
    return r.body();
  }

  @Test
  void metricsDescribeGroupsAndProcessesAndPassPromtool() throws Exception {
    create(group("metered", process("agent", 0, 1), process("web", 1, 2)));
    awaitPhase("metered", "Running");
    String metrics = scrape("/metrics");
    assertThat(metrics)
        .contains("procgroup_process_ready_replicas{group=\"metered\",namespace=\"" + ns + "\",process=\"web\"} 2.0")
        .contains("procgroup_process_desired_replicas{group=\"metered\",namespace=\"" + ns + "\",process=\"agent\"} 1.0")
        .contains("procgroup_process_restarts{")
        .containsPattern("procgroup_groups\\{phase=\"Running\"} [1-9]")
        .contains("procgroup_reconciliations_total")
        .containsPattern("procgroup_operator_api_requests_total\\{namespace=\"" + ns
            + "\",resource=\"deployments\",verb=\"patch\"} [1-9]")
        .contains("operator_sdk_reconciliations_success_total");
    BoundedProcess.Result promtool = BoundedProcess.run(Duration.ofSeconds(30), metrics,
        List.of("promtool", "check", "metrics"));
    assertThat(promtool.exitCode()).as("promtool check metrics:\n%s", promtool.out()).isZero();
    assertThat(scrape("/healthz")).isEqualTo("ok: 9 informers running\n");
    assertThat(scrape("/readyz")).isEqualTo("ok: 9 informers synced and watching\n");
  }
}
