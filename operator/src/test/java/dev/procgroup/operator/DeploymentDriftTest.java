package dev.procgroup.operator;

import static org.assertj.core.api.Assertions.assertThat;

import dev.procgroup.operator.desired.Labels;
import io.fabric8.kubernetes.api.model.FieldsV1;
import io.fabric8.kubernetes.api.model.ManagedFieldsEntry;
import io.fabric8.kubernetes.api.model.ManagedFieldsEntryBuilder;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Drift as read from managedFields, in the FieldsV1 form a real API server writes (see DriftRepairIT). */
class DeploymentDriftTest {
  static final String OURS = "{\"f:spec\":{\"f:replicas\":{},\"f:template\":{\"f:spec\":{\"f:containers\":"
      + "{\"k:{\\\"name\\\":\\\"app\\\"}\":{\".\":{},\"f:image\":{},\"f:name\":{}}}}}}}";

  static ManagedFieldsEntry entry(String manager, String operation, String subresource, String fieldsJson) {
    FieldsV1 fields = new FieldsV1();
    Serialization.unmarshal(fieldsJson, Map.class).forEach((k, v) -> fields.setAdditionalProperty((String) k, v));
    return new ManagedFieldsEntryBuilder().withManager(manager).withOperation(operation).withSubresource(subresource)
        .withFieldsType("FieldsV1").withFieldsV1(fields).build();
  }

  static Deployment deployment(String hash, Integer replicas, ManagedFieldsEntry... entries) {
    return new DeploymentBuilder().withNewMetadata().withName("g-web").withUid("u1")
        .withAnnotations(Map.of(Labels.APPLIED_HASH, hash)).withManagedFields(List.of(entries)).endMetadata()
        .withNewSpec().withReplicas(replicas).withNewTemplate().withNewMetadata().endMetadata().endTemplate()
        .endSpec().build();
  }

  final Deployment want = deployment("h1", 2);

  @Test
  void missingOtherSpecOrHandScaledIsApplied() {
    assertThat(DeploymentDrift.of(want, null, Set.of())).isEqualTo(DeploymentDrift.APPLY);
    assertThat(DeploymentDrift.of(want, deployment("h0", 2), Set.of())).isEqualTo(DeploymentDrift.APPLY);
    assertThat(DeploymentDrift.of(want, deployment("h1", 5), Set.of())).isEqualTo(DeploymentDrift.APPLY);
  }

  @Test
  void ourApplyTheControllersStatusAndAnAutoscalersScaleAreNotDrift() {
    Deployment have = deployment("h1", 2,
        entry(Labels.FIELD_MANAGER, "Apply", null, OURS),
        entry("kube-controller-manager", "Update", "status", "{\"f:status\":{\"f:replicas\":{}}}"),
        entry("kube-controller-manager", "Update", "scale", "{\"f:spec\":{\"f:replicas\":{}}}"),
        entry("kube-controller-manager", "Update", null,
            "{\"f:metadata\":{\"f:annotations\":{\"f:deployment.kubernetes.io/revision\":{}}}}"),
        entry(DeploymentDrift.REPLICAS_HANDOVER_MANAGER, "Apply", null, "{\"f:spec\":{\"f:replicas\":{}}}"));
    assertThat(DeploymentDrift.foreignSpecFields(have)).isEmpty();
    assertThat(DeploymentDrift.of(want, have, Set.of())).isEqualTo(DeploymentDrift.NONE);
  }

  @Test
  void aHandEditOfTheTemplateIsReplacedNamingWhoSetWhat() {
    Deployment have = deployment("h1", 2, entry(Labels.FIELD_MANAGER, "Apply", null, OURS),
        entry("kubectl-patch", "Update", null, "{\"f:spec\":{\"f:template\":{\"f:spec\":{\"f:containers\":"
            + "{\"k:{\\\"name\\\":\\\"app\\\"}\":{\"f:env\":{\".\":{},\"k:{\\\"name\\\":\\\"X\\\"}\":"
            + "{\".\":{},\"f:name\":{},\"f:value\":{}}}}}}}}}"));
    assertThat(DeploymentDrift.foreignSpecFields(have)).containsExactly(
        "kubectl-patch: spec.template.spec.containers.k:{\"name\":\"app\"}.env.k:{\"name\":\"X\"}.name",
        "kubectl-patch: spec.template.spec.containers.k:{\"name\":\"app\"}.env.k:{\"name\":\"X\"}.value");
    assertThat(DeploymentDrift.of(want, have, Set.of())).isEqualTo(DeploymentDrift.REPLACE_TEMPLATE);
  }

  @Test
  void aHandEditOutsideTheTemplateIsTakenBackByApply() {
    Deployment have = deployment("h1", 2, entry("kubectl-edit", "Update", null,
        "{\"f:spec\":{\"f:minReadySeconds\":{}}}"));
    assertThat(DeploymentDrift.of(want, have, Set.of())).isEqualTo(DeploymentDrift.APPLY);
  }

  @Test
  void kubectlRolloutRestartIsARestartNotDrift() {
    Deployment have = deployment("h1", 2, entry("kubectl-rollout", "Update", null, "{\"f:spec\":{\"f:template\":"
        + "{\"f:metadata\":{\"f:annotations\":{\".\":{},\"f:kubectl.kubernetes.io/restartedAt\":{}}}}}}"));
    assertThat(DeploymentDrift.of(want, have, Set.of())).isEqualTo(DeploymentDrift.NONE);
  }

  @Test
  void whatAReplacementCouldNotRemoveIsToleratedUntilTheSpecChanges() {
    Deployment have = deployment("h1", 2, entry("helm", "Apply", null, OURS));
    String fingerprint = DeploymentDrift.fingerprint(want, DeploymentDrift.foreignSpecFields(have));
    assertThat(DeploymentDrift.of(want, have, Set.of(fingerprint))).isEqualTo(DeploymentDrift.NONE);
    Deployment newSpec = deployment("h2", 2);
    Deployment haveNew = deployment("h2", 2, entry("helm", "Apply", null, OURS));
    assertThat(DeploymentDrift.of(newSpec, haveNew, Set.of(fingerprint))).isEqualTo(DeploymentDrift.REPLACE_TEMPLATE);
  }
}
