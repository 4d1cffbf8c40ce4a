package dev.procgroup.operator;

import dev.procgroup.api.v1alpha1.ProcessGroup;
import dev.procgroup.operator.desired.HubAccess;
import dev.procgroup.operator.desired.Labels;
import io.fabric8.kubernetes.api.model.DeletionPropagation;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Every write the operator makes to objects other than the ProcessGroup and its dependent resources: server-side
 * apply with one field manager, the repairs apply cannot make (JSON patches), and deletes.
 */
final class ClusterWriter {
  private final KubernetesClient client;
  static final Duration TOKEN_RECHECK = Duration.ofSeconds(10);
  private final Map<String, Instant> tokenChecked = new ConcurrentHashMap<>();

  ClusterWriter(KubernetesClient client) {
    this.client = client;
  }

  /** @return the object as the API server holds it after the apply */
  <T extends HasMetadata> T apply(T desired) {
    return client.resource(desired).fieldManager(Labels.FIELD_MANAGER).forceConflicts().serverSideApply();
  }

  /**
   * Applies a process's Deployment. When the spec switches to autoscaling the desired form no longer sets
   * replicas, and server-side apply would drop a field its only manager gives up, which the API server then
   * defaults to 1: the current count is first handed to a manager of its own, from which the autoscaler takes it.
   */
  Deployment applyDeployment(Deployment want, Deployment have) {
    if (want.getSpec().getReplicas() == null && have != null && ownsReplicas(have)) {
      Deployment handover = new DeploymentBuilder().withNewMetadata().withName(have.getMetadata().getName())
          .withNamespace(have.getMetadata().getNamespace()).endMetadata()
          .withNewSpec().withReplicas(have.getSpec().getReplicas()).endSpec().build();
      client.resource(handover).fieldManager(DeploymentDrift.REPLICAS_HANDOVER_MANAGER).forceConflicts()
          .serverSideApply();
    }
    return apply(want);
  }

  /** Whether the operator's apply owns the Deployment's replicas (from managedFields, no API read). */
  static boolean ownsReplicas(Deployment d) {
    return d.getMetadata().getManagedFields() != null && d.getMetadata().getManagedFields().stream()
        .anyMatch(e -> DeploymentDrift.isOurApply(e) && e.getFieldsV1() != null
            && e.getFieldsV1().getAdditionalProperties().get("f:spec") instanceof Map<?, ?> spec
            && spec.containsKey("f:replicas"));
  }

  /**
   * Replaces a Deployment's pod template with ours: a JSON patch removes the fields a hand edit added, which
   * apply cannot (they belong to another manager), and restores the values it changed.
   *
   * @return the Deployment after the patch
   */
  Deployment replaceTemplate(Deployment want) {
    String patch = Serialization.asJson(List.of(Map.of("op", "replace", "path", "/spec/template",
        "value", want.getSpec().getTemplate())));
    return client.apps().deployments().inNamespace(want.getMetadata().getNamespace())
        .withName(want.getMetadata().getName())
        .patch(new PatchContext.Builder().withPatchType(PatchType.JSON).withFieldManager(Labels.FIELD_MANAGER)
            .build(), patch);
  }

  /**
   * Creates the group's peer token: once per operator lifetime, and again (at most every {@link #TOKEN_RECHECK})
   * while some pod of the group is not ready, which is when a deleted Secret matters: a new pod cannot mount it.
   * The operator may only create Secrets, never read or watch them (no cluster-wide read of Secrets), so this
   * create is the check: an existing Secret (409) is kept, never rotated under running pods; a recreated one has a
   * new token, which the sidecars pick up from their volume (they accept the previous one for a while).
   */
  void ensureHubToken(ProcessGroup pg, boolean recheck) {
    String key = pg.getMetadata().getUid();
    Instant last = tokenChecked.get(key);
    Instant now = Instant.now();
    if (last != null && (!recheck || last.plus(TOKEN_RECHECK).isAfter(now))) return;
    try {
      client.secrets().inNamespace(pg.getMetadata().getNamespace()).resource(HubAccess.tokenSecret(pg)).create();
    } catch (KubernetesClientException e) {
      if (e.getCode() != 409) throw e;
    }
    tokenChecked.put(key, now);
  }

  void deleteDeployment(Deployment d) {
    client.apps().deployments().inNamespace(d.getMetadata().getNamespace()).withName(d.getMetadata().getName())
        .withPropagationPolicy(DeletionPropagation.BACKGROUND).delete();
  }

  /**
   * Replaces a Service's whole port list. Server-side apply cannot remove ports that another field manager added
   * (a hand edit that changes a port number adds a port), and would be refused when such a port kept our name.
   */
  void replaceServicePorts(Service desired) {
    String patch = Serialization.asJson(List.of(Map.of("op", "replace", "path", "/spec/ports",
        "value", desired.getSpec().getPorts())));
    client.services().inNamespace(desired.getMetadata().getNamespace()).withName(desired.getMetadata().getName())
        .patch(new PatchContext.Builder().withPatchType(PatchType.JSON).withFieldManager(Labels.FIELD_MANAGER).build(),
            patch);
  }

  void deleteService(Service s) {
    client.services().inNamespace(s.getMetadata().getNamespace()).withName(s.getMetadata().getName()).delete();
  }

  /** What the API server said when it refused a write, as a user can act on it. */
  static String apiMessage(KubernetesClientException e) {
    return e.getStatus() != null && e.getStatus().getMessage() != null ? e.getStatus().getMessage() : e.getMessage();
  }

  void forget(ProcessGroup pg) {
    tokenChecked.remove(pg.getMetadata().getUid());
  }
}
