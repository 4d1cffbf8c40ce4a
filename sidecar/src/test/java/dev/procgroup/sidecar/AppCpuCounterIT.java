package dev.procgroup.sidecar;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Vertx;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The app's CPU counter on a real sidecar whose app keeps starting short CPU-burning children that exit (as exec
 * probes and kubectl exec do in a pod): scraped every 150 ms, the counter never goes down, and it grows by about the
 * children's CPU. Summed over live processes only, it dropped by each exited child's share: a counter reset to
 * Prometheus' rate() and a missing CPU figure in kubectl pg list.
 */
class AppCpuCounterIT {

  @Test
  void theCpuCounterNeverGoesDownWhenAppProcessesExit() throws Exception {
    // Each child burns about 0.3 s of CPU and exits; the parent itself only sleeps.
    Process app = new ProcessBuilder("bash", "-c",
        "for i in $(seq 40); do timeout 0.3 bash -c 'while :; do :; done'; sleep 0.1; done").start();
    Vertx vertx = Vertx.vertx();
    Sidecar sidecar = null;
    try {
      SidecarConfig config = SidecarConfig.builder().group("cpu-it").process("web").podName("c").hubToken("t")
          .hubPort(0).peerHost("127.0.0.1").peerPort(0).metricsHost("127.0.0.1").metricsPort(0)
          .appPid(app.pid()).appMetrics("on").staticPeers(List.of()).build();
      sidecar = Await.of(new Sidecar(config).start());
      Http http = new Http(vertx);
      List<Double> seen = new ArrayList<>();
      for (int i = 0; i < 24; i++) {
        String text = http.get(sidecar.metricsPort(), "/metrics").body();
        seen.add(AbstractHubIT.metricValue(text, "procgroup_app_cpu_seconds_total{mode=\"user\"}")
            + AbstractHubIT.metricValue(text, "procgroup_app_cpu_seconds_total{mode=\"system\"}"));
        Thread.sleep(150);
      }
      assertThat(seen).as("CPU counter over 24 scrapes").isSorted();
      // About 3.6 s of wall time, three quarters of it burning: the children's CPU is counted (how much depends on
      // the machine's load; a tenth of a second even with a sliver of a core).
      assertThat(seen.get(seen.size() - 1) - seen.get(0)).as("CPU counted across exited children: %s", seen)
          .isGreaterThan(0.1);
    } finally {
      if (sidecar != null) Await.of(sidecar.stop());
      app.destroyForcibly();
      Await.of(vertx.close());
    }
  }
}
