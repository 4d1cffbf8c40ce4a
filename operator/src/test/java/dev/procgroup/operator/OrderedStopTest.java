package dev.procgroup.operator;

import static dev.procgroup.operator.Specs.group;
import static dev.procgroup.operator.Specs.process;
import static org.assertj.core.api.Assertions.assertThat;

import dev.procgroup.api.v1alpha1.ProcessGroup;
import dev.procgroup.operator.desired.Labels;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class OrderedStopTest {
  static final Instant NOW = Instant.parse("2026-12-02T04:00:00Z");
  static final Duration TIMEOUT = Duration.ofMinutes(5);
  final ProcessGroup pg = group("g", process("db", 0, 1), process("api", 1, 1), process("web", 2, 1));

  static Deployment deployment(String process, int order) {
    return new DeploymentBuilder().withNewMetadata().withName("g-" + process)
        .withLabels(Map.of(Labels.PROCESS, process, Labels.ORDER, String.valueOf(order))).endMetadata().build();
  }

  static Pod pod(String name, Instant deleted) {
    return new PodBuilder().withNewMetadata().withName(name)
        .withDeletionTimestamp(deleted == null ? null : deleted.toString()).endMetadata()
        .withNewSpec().withNodeName("node-1").endSpec().build();
  }

  @Test
  void theHighestOrderStopsFirstAndTheNextWaitsForItsPods() {
    var step = OrderedStop.next(pg, Map.of("db", deployment("db", 0), "api", deployment("api", 1)),
        Map.of("db", List.of(pod("db-1", null)), "api", List.of(pod("api-1", null)),
            "web", List.of(pod("web-1", NOW.minusSeconds(10)))), NOW, TIMEOUT);
    assertThat(step.done()).isFalse();
    assertThat(step.order()).as("web's pod is still terminating").isEqualTo(2);
    assertThat(step.toDelete()).isEmpty();
  }

  @Test
  void aPodTerminatingLongerThanTheTimeoutNoLongerHoldsTheNextOrder() {
    var step = OrderedStop.next(pg, Map.of("db", deployment("db", 0), "api", deployment("api", 1)),
        Map.of("web", List.of(pod("web-1", NOW.minus(TIMEOUT).minusSeconds(1)))), NOW, TIMEOUT);
    assertThat(step.order()).isEqualTo(1);
    assertThat(step.toDelete()).extracting(d -> d.getMetadata().getName()).containsExactly("g-api");
    assertThat(step.stuck()).containsExactly("web-1 (node node-1)");
  }

  @Test
  void whenOnlyStuckPodsAreLeftTheStopIsDone() {
    var step = OrderedStop.next(pg, Map.of(), Map.of("db", List.of(pod("db-1", NOW.minus(Duration.ofHours(1))))),
        NOW, TIMEOUT);
    assertThat(step.done()).isTrue();
    assertThat(step.stuck()).containsExactly("db-1 (node node-1)");
  }

  @Test
  void aProcessNoLongerInTheSpecStopsByItsDeploymentsOrderLabelAndAnUnreadableLabelStopsFirst() {
    Deployment old = deployment("old", 7);
    Deployment odd = new DeploymentBuilder(deployment("odd", 0)).editMetadata()
        .addToLabels(Labels.ORDER, "x").endMetadata().build();
    var step = OrderedStop.next(pg, Map.of("old", old, "db", deployment("db", 0)), Map.of(), NOW, TIMEOUT);
    assertThat(step.order()).isEqualTo(7);
    step = OrderedStop.next(pg, Map.of("old", old, "odd", odd), Map.of(), NOW, TIMEOUT);
    assertThat(step.processes()).containsExactly("odd");
  }
}
