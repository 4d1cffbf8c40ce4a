package dev.procgroup.operator.sequencing;

import static dev.procgroup.operator.Specs.process;
import static org.assertj.core.api.Assertions.assertThat;

import dev.procgroup.api.v1alpha1.ProcessSpec;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SequencerTest {
  static final ObservedProcess READY = new ObservedProcess(true, true, true);
  static final ObservedProcess STARTING = new ObservedProcess(true, true, false);
  static final ObservedProcess STALE_READY = new ObservedProcess(true, false, true);

  final List<ProcessSpec> shop = List.of(process("agent", 0, 1), process("web", 1, 2), process("background", 1, 1),
      process("report", 2, 1));

  @Test
  void onlyTheLowestOrderStartsOnAnEmptyCluster() {
    Plan plan = Sequencer.plan(shop, Map.of());
    assertThat(plan.apply()).containsExactly("agent");
    assertThat(plan.waiting()).containsExactly("web", "background", "report");
    assertThat(plan.held()).isEmpty();
    assertThat(plan.blockingOrder()).hasValue(0);
    assertThat(plan.blockedBy()).containsExactly("agent");
  }

  @Test
  void equalOrdersStartTogetherOnceTheLowerOrderIsReady() {
    Plan plan = Sequencer.plan(shop, Map.of("agent", READY));
    assertThat(plan.apply()).containsExactly("agent", "web", "background");
    assertThat(plan.waiting()).containsExactly("report");
    assertThat(plan.blockingOrder()).hasValue(1);
  }

  @Test
  void oneUnreadyProcessOfAnOrderHoldsTheNextOrder() {
    Plan plan = Sequencer.plan(shop, Map.of("agent", READY, "web", READY, "background", STARTING));
    assertThat(plan.apply()).containsExactly("agent", "web", "background");
    assertThat(plan.blockedBy()).containsExactly("background");
    assertThat(plan.waiting()).containsExactly("report");
  }

  @Test
  void completeWhenEveryOrderIsCurrentAndReady() {
    Plan plan = Sequencer.plan(shop, Map.of("agent", READY, "web", READY, "background", READY, "report", READY));
    assertThat(plan.complete()).isTrue();
    assertThat(plan.apply()).containsExactly("agent", "web", "background", "report");
    assertThat(plan.waiting()).isEmpty();
  }

  @Test
  void aSpecChangeRollsOutOrderByOrder() {
    // every Deployment exists but carries the old spec: only order 0 is updated, the others are held, not deleted
    Plan plan = Sequencer.plan(shop, Map.of("agent", STALE_READY, "web", STALE_READY, "background", STALE_READY,
        "report", STALE_READY));
    assertThat(plan.apply()).containsExactly("agent");
    assertThat(plan.held()).containsExactly("web", "background", "report");
    assertThat(plan.waiting()).isEmpty();
  }

  @Test
  void aFlappingLowerOrderHoldsButNeverRemovesHigherOrders() {
    Plan plan = Sequencer.plan(shop, Map.of("agent", STARTING, "web", READY, "background", READY, "report", READY));
    assertThat(plan.apply()).containsExactly("agent");
    assertThat(plan.held()).containsExactly("web", "background", "report");
  }

  @Test
  void changingAnOrderReSequences() {
    List<ProcessSpec> reordered = List.of(process("agent", 3, 1), process("web", 1, 2), process("background", 1, 1),
        process("report", 2, 1));
    Plan plan = Sequencer.plan(reordered, Map.of("agent", READY, "web", STARTING, "background", READY));
    assertThat(plan.apply()).containsExactly("web", "background");
    assertThat(plan.held()).containsExactly("agent");
    assertThat(plan.waiting()).containsExactly("report");
    assertThat(plan.blockingOrder()).hasValue(1);
  }

  @Test
  void aLowerOrderThatLostItsReplicasHoldsHigherOrdersWithoutTouchingThem() {
    ObservedProcess lost = new ObservedProcess(true, true, false, true, false, false);
    assertThat(lost.lostAvailability()).isTrue();
    Plan plan = Sequencer.plan(shop, Map.of("agent", lost, "web", READY, "background", STALE_READY, "report", READY));
    assertThat(plan.apply()).containsExactly("agent");
    assertThat(plan.held()).as("they exist: held as they are, never deleted").containsExactly("web", "background",
        "report");
    assertThat(plan.waiting()).isEmpty();
    assertThat(plan.blockedBy()).containsExactly("agent");
    Plan back = Sequencer.plan(shop, Map.of("agent", READY, "web", READY, "background", STALE_READY, "report", READY));
    assertThat(back.apply()).as("available again: the held change of background goes ahead")
        .containsExactly("agent", "web", "background");
    assertThat(back.blockedBy()).containsExactly("background");
  }

  @Test
  void aProcessWithScaleZeroNeverHoldsHigherOrders() {
    List<ProcessSpec> group = List.of(process("agent", 0, 0), process("web", 1, 2), process("idle", 1, 0));
    Plan fresh = Sequencer.plan(group, Map.of());
    assertThat(fresh.apply()).as("nothing of agent has to be ready").containsExactly("agent", "web", "idle");
    assertThat(fresh.blockedBy()).containsExactly("web");
    Plan running = Sequencer.plan(group, Map.of("agent", STARTING, "web", READY, "idle", STARTING));
    assertThat(running.complete()).isTrue();
    assertThat(Sequencer.isStopped(process("x", 0, 0))).isTrue();
    ProcessSpec autoscaled = process("x", 0, 0);
    autoscaled.setScale(null);
    autoscaled.setAutoscale(new dev.procgroup.api.v1alpha1.AutoscaleSpec(1, 3));
    assertThat(Sequencer.isStopped(autoscaled)).isFalse();
    assertThat(Sequencer.isStopped(process("x", 0, 1))).isFalse();
  }

  @Test
  void reverseStopTakesTheHighestRunningOrder() {
    assertThat(Sequencer.nextOrderToStop(List.of(0, 2, 1, 2))).hasValue(2);
    assertThat(Sequencer.nextOrderToStop(List.of())).isEmpty();
  }
}
