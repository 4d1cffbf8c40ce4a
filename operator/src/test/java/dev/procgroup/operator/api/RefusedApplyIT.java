package dev.procgroup.operator.api;

import static dev.procgroup.operator.Specs.group;
import static dev.procgroup.operator.Specs.process;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.procgroup.api.v1alpha1.ProcessGroupStatus;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * An apply the API server refuses is retried by the operator itself, with no event to wake the group: the reconcile
 * that reports ApplyFailed succeeds (its status write is no event for the group), and the refusal goes away without
 * any change the operator watches. Here an admission policy (a real ValidatingAdmissionPolicy, the API server's own
 * CEL admission) refuses Deployments above 2 replicas in the test's namespace; it is deleted while the group is
 * Failed. This is chaos step 2's case made deterministic: an API server that came back between the apply and the
 * status write.
 */
class RefusedApplyIT extends ApiTestSupport {
  List<HasMetadata> policy;

  @AfterEach
  void removePolicy() {
    if (policy != null) policy.forEach(o -> client.resource(o).delete());
  }

  @Test
  void aRefusedScaleIsAppliedOnceTheRefusalEndsWithNoEventForTheGroup() {
    policy = client.load(new java.io.ByteArrayInputStream(policyYaml(ns).getBytes())).items();
    policy.forEach(o -> client.resource(o).create());
    awaitPolicyEnforced();

    create(group("quota", process("web", 0, 1)));
    awaitPhase("quota", "Running");
    editSpec("quota", pg -> pg.getSpec().getProcesses().get(0).setScale(3));
    ProcessGroupStatus refused = awaitPhase("quota", "Failed");
    assertThat(condition(refused, "Degraded").getReason()).isEqualTo("ApplyFailed");
    assertThat(refused.getMessage()).contains("at most 2 replicas in this namespace");
    assertThat(deployment("quota-web").getSpec().getReplicas()).isEqualTo(1);

    Instant lifted = Instant.now();
    policy.forEach(o -> client.resource(o).delete());
    policy = null;
    awaitDeployment("quota-web", d -> Integer.valueOf(3).equals(d.getSpec().getReplicas()));
    System.out.printf("[measure] a refused scale applied %d ms after the refusal ended (no event for the group)%n",
        Duration.between(lifted, Instant.now()).toMillis());
    assertThat(condition(awaitPhase("quota", "Running"), "Degraded").getStatus()).isEqualTo("False");
  }

  /** The API server enforces a new policy once its own informer has it: a dry-run create is refused by then. */
  private void awaitPolicyEnforced() {
    Deployment probe = new DeploymentBuilder().withNewMetadata().withName("probe").withNamespace(ns).endMetadata()
        .withNewSpec().withReplicas(3).withNewSelector().addToMatchLabels("app", "probe").endSelector()
        .withNewTemplate().withNewMetadata().addToLabels("app", "probe").endMetadata().withNewSpec()
        .addNewContainer().withName("c").withImage("probe").endContainer().endSpec().endTemplate().endSpec().build();
    await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(250)).until(() -> {
      try {
        client.resource(probe).dryRun().create();
        return false;
      } catch (KubernetesClientException e) {
        return e.getCode() == 422 || e.getCode() == 403;
      }
    });
  }

  static String policyYaml(String namespace) {
    return """
        apiVersion: admissionregistration.k8s.io/v1
        kind: ValidatingAdmissionPolicy
        metadata: {name: at-most-2-replicas-%1$s}
        spec:
          failurePolicy: Fail
          matchConstraints:
            resourceRules:
              - {apiGroups: [apps], apiVersions: [v1], operations: [CREATE, UPDATE], resources: [deployments]}
          validations:
            - expression: "!has(object.spec.replicas) || object.spec.replicas <= 2"
              message: at most 2 replicas in this namespace
        ---
        apiVersion: admissionregistration.k8s.io/v1
        kind: ValidatingAdmissionPolicyBinding
        metadata: {name: at-most-2-replicas-%1$s}
        spec:
          policyName: at-most-2-replicas-%1$s
          validationActions: [Deny]
          matchResources:
            namespaceSelector:
              matchLabels: {kubernetes.io/metadata.name: %1$s}
        """.formatted(namespace);
  }
}
