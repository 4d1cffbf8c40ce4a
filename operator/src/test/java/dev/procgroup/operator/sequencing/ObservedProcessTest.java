package dev.procgroup.operator.sequencing;

import static dev.procgroup.operator.Specs.group;
import static dev.procgroup.operator.Specs.process;
import static org.assertj.core.api.Assertions.assertThat;

import dev.procgroup.api.v1alpha1.ProcessGroup;
import dev.procgroup.api.v1alpha1.ProcessSpec;
import dev.procgroup.operator.OperatorConfig.SidecarConfig;
import dev.procgroup.operator.desired.DesiredDeployment;
import dev.procgroup.operator.desired.Environment;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentConditionBuilder;
import io.fabric8.kubernetes.api.model.apps.DeploymentStatusBuilder;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The one availability rule ({@link ObservedProcess#isAvailable}) against the Deployment statuses Kubernetes'
 * Deployment controller writes (pkg/controller/deployment: calculateStatus, syncRolloutStatus): a completed
 * rollout sets Progressing/NewReplicaSetAvailable and keeps it through scaling and lost pods; a new template
 * replaces it with NewReplicaSetCreated / ReplicaSetUpdated until all its replicas are updated and available.
 */
class ObservedProcessTest {
  static final String COMPLETE = "NewReplicaSetAvailable";
  static final String UPDATING = "ReplicaSetUpdated";

  final ProcessGroup pg = group("shop", process("agent", 0, 1), process("web", 1, 4));

  Deployment desired(ProcessSpec p) {
    return DesiredDeployment.of(pg, p, SidecarConfig.defaults());
  }

  static ProcessSpec web(int scale) {
    return process("web", 1, scale);
  }

  /** The applied Deployment as the API server shows it, with the status the Deployment controller wrote. */
  static Deployment observed(Deployment applied, long generation, long observedGeneration, int replicas, int updated,
      int available, String progressingReason) {
    Deployment d = Serialization.clone(applied);
    d.getMetadata().setGeneration(generation);
    DeploymentStatusBuilder s = new DeploymentStatusBuilder().withObservedGeneration(observedGeneration)
        .withReplicas(replicas).withUpdatedReplicas(updated).withReadyReplicas(available)
        .withAvailableReplicas(available);
    if (progressingReason != null) {
      s.withConditions(new DeploymentConditionBuilder().withType("Progressing").withStatus("True")
          .withReason(progressingReason).build());
    }
    d.setStatus(s.build());
    return d;
  }

  @Test
  void aFinishedRolloutIsAvailable() {
    Deployment d = observed(desired(web(4)), 1, 1, 4, 4, 4, COMPLETE);
    assertThat(ObservedProcess.of(d, desired(web(4)))).isEqualTo(new ObservedProcess(true, true, true, true, false,
        false));
    assertThat(ObservedProcess.isAvailable(observed(desired(web(4)), 1, 1, 4, 4, 4, null)))
        .as("without conditions (a controller that writes none): all updated and available").isTrue();
  }

  @Test
  void anHpaScaleUpOrALostPodKeepsARolledOutProcessAvailable() {
    // scaled from 2 to 4 (by the HPA, or by the scale field): the two new pods are not Ready yet
    assertThat(ObservedProcess.isAvailable(observed(desired(web(4)), 2, 2, 4, 4, 2, COMPLETE))).isTrue();
    // the new pods not even created yet
    assertThat(ObservedProcess.isAvailable(observed(desired(web(4)), 2, 2, 2, 2, 2, COMPLETE))).isTrue();
    // one of four pods evicted, its replacement starting
    assertThat(ObservedProcess.isAvailable(observed(desired(web(4)), 1, 1, 4, 4, 3, COMPLETE))).isTrue();
    // three of four gone: still serving
    assertThat(ObservedProcess.isAvailable(observed(desired(web(4)), 1, 1, 4, 4, 1, COMPLETE))).isTrue();
  }

  @Test
  void noAvailableReplicaLeftIsUnavailableButStillRolledOut() {
    Deployment d = observed(desired(web(4)), 1, 1, 4, 4, 0, COMPLETE);
    ObservedProcess o = ObservedProcess.of(d, desired(web(4)));
    assertThat(o.ready()).isFalse();
    assertThat(o.rolledOut()).isTrue();
    assertThat(o.lostAvailability()).as("it ran and lost its replicas: not a rollout").isTrue();
  }

  @Test
  void aNewTemplateNeedsAllItsReplicasUpdatedAndAvailable() {
    ProcessSpec v2 = web(4);
    v2.setEnv(List.of(Environment.value("VERSION", "2")));
    Deployment want = desired(v2);
    // the controller has not seen the change: the status still describes the old, rolled-out template
    ObservedProcess stale = ObservedProcess.of(observed(want, 2, 1, 4, 4, 4, COMPLETE), want);
    assertThat(stale.ready()).isFalse();
    assertThat(stale.stale()).isTrue();
    assertThat(stale.lostAvailability()).isFalse();
    // half-way: old pods left
    assertThat(ObservedProcess.isAvailable(observed(want, 2, 2, 5, 2, 4, UPDATING))).isFalse();
    // every old pod gone, one new one not available yet: not done (maxUnavailable let the last old pod go early)
    ObservedProcess tail = ObservedProcess.of(observed(want, 2, 2, 4, 4, 3, UPDATING), want);
    assertThat(tail.ready()).isFalse();
    assertThat(tail.rolledOut()).isFalse();
    assertThat(tail.lostAvailability()).as("rolling out, not lost").isFalse();
    // rolled back to an older ReplicaSet: the old reason is still there, but pods of another template are left
    assertThat(ObservedProcess.isAvailable(observed(want, 2, 2, 4, 0, 4, COMPLETE))).isFalse();
    // done
    assertThat(ObservedProcess.isAvailable(observed(want, 2, 2, 4, 4, 4, UPDATING))).isTrue();
    assertThat(ObservedProcess.isAvailable(observed(want, 2, 2, 4, 4, 4, COMPLETE))).isTrue();
  }

  @Test
  void aProgressDeadlineIsNotARolledOutTemplate() {
    Deployment d = observed(desired(web(4)), 1, 1, 4, 4, 2, null);
    d.getStatus().setConditions(List.of(new DeploymentConditionBuilder().withType("Progressing").withStatus("False")
        .withReason("ProgressDeadlineExceeded").build()));
    assertThat(ObservedProcess.isAvailable(d)).isFalse();
  }

  @Test
  void aScaleChangeIsCurrentWithoutARollout() {
    Deployment atTwo = observed(desired(web(2)), 1, 1, 2, 2, 2, COMPLETE);
    ObservedProcess o = ObservedProcess.of(atTwo, desired(web(4)));
    assertThat(o.current()).as("only the replicas differ").isTrue();
    assertThat(o.rescale()).isTrue();
    assertThat(o.currentAndReady()).isTrue();

    ProcessSpec changed = web(4);
    changed.setArgs(List.of("--verbose"));
    ObservedProcess other = ObservedProcess.of(atTwo, desired(changed));
    assertThat(other.current()).as("the template differs too").isFalse();
    assertThat(other.rescale()).isFalse();
  }

  @Test
  void aScaleUpFromZeroIsNotAvailableBeforeAReplicaIs() {
    ObservedProcess o = ObservedProcess.of(observed(desired(web(0)), 1, 1, 0, 0, 0, COMPLETE), desired(web(2)));
    assertThat(o.current()).isTrue();
    assertThat(o.ready()).isFalse();
  }

  @Test
  void scaleZeroIsAvailableOnceTheControllerHasSeenIt() {
    assertThat(ObservedProcess.isAvailable(observed(desired(web(0)), 1, 1, 0, 0, 0, COMPLETE))).isTrue();
    assertThat(ObservedProcess.isAvailable(observed(desired(web(0)), 2, 1, 4, 4, 4, COMPLETE))).isFalse();
  }

  @Test
  void noDeploymentIsAbsent() {
    assertThat(ObservedProcess.of(null, desired(web(4)))).isEqualTo(ObservedProcess.ABSENT);
  }
}
