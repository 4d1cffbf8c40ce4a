package dev.procgroup.operator.support;

import static org.assertj.core.api.Assertions.assertThat;

import dev.procgroup.api.v1alpha1.ProcessGroupStatus;
import dev.procgroup.api.v1alpha1.ProcessStatus;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class GroupMetricsTest {
  final SimpleMeterRegistry registry = new SimpleMeterRegistry();
  final GroupMetrics metrics = new GroupMetrics(registry);

  static ProcessGroupStatus status(String phase, String... processes) {
    ProcessGroupStatus s = new ProcessGroupStatus();
    s.setPhase(phase);
    List<ProcessStatus> list = new ArrayList<>();
    for (String name : processes) {
      ProcessStatus p = new ProcessStatus();
      p.setName(name);
      p.setDesired(2);
      p.setReady(1);
      p.setRestarts(3);
      list.add(p);
    }
    s.setProcesses(list);
    return s;
  }

  double groups(String phase) {
    return registry.get("procgroup.groups").tag("phase", phase).gauge().value();
  }

  int series(String group) {
    return registry.find("procgroup.process.ready.replicas").tag("group", group).gauges().size();
  }

  @Test
  void countsGroupsByPhaseAsTheyMove() {
    metrics.update("ns", "a", status("Progressing", "web"));
    metrics.update("ns", "b", status("Progressing", "web"));
    metrics.update("ns", "a", status("Running", "web"));
    metrics.update("ns", "a", status("Running", "web"));
    assertThat(groups("Progressing")).isEqualTo(1);
    assertThat(groups("Running")).isEqualTo(1);
    metrics.remove("ns", "a");
    assertThat(groups("Running")).isZero();
    assertThat(groups("Progressing")).isEqualTo(1);
  }

  @Test
  void processSeriesFollowTheSpecAndLeaveWithTheGroup() {
    metrics.update("ns", "a", status("Running", "web", "worker"));
    metrics.update("ns", "b", status("Running", "web"));
    assertThat(registry.get("procgroup.process.desired.replicas").tags("group", "a", "process", "web").gauge().value())
        .isEqualTo(2);
    assertThat(series("a")).isEqualTo(2);
    metrics.update("ns", "a", status("Running", "web"));
    assertThat(series("a")).isEqualTo(1);
    assertThat(registry.find("procgroup.process.restarts").tags("group", "a", "process", "worker").gauge()).isNull();
    metrics.remove("ns", "a");
    assertThat(series("a")).isZero();
    assertThat(series("b")).isEqualTo(1);
  }
}
