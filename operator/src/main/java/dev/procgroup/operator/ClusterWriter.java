package dev.procgroup.operator;

import dev.procgroup.api.v1alpha1.ProcessGroup;
import dev.procgroup.operator.desired.DesiredDeployment;
import dev.procgroup.operator.desired.HubAccess;
import dev.procgroup.operator.desired.Labels;
import io.fabric8.kubernetes.api.model.DeletionPropagation;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscaler;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Every write the operator makes to objects other than the ProcessGroup: server-side apply with one field
 * manager, and deletes. Objects it does not watch (hub RBAC, autoscalers) are applied only when their desired
 * form changes, remembered per group, so a steady group costs no API calls.
 */
final class ClusterWriter {
  private final KubernetesClient client;
  private final Map<String, String> appliedHashes = new ConcurrentHashMap<>();

  ClusterWriter(KubernetesClient client) {
    this.client = client;
  }

  /** @return the object as the API server holds it after the apply */
  <T extends HasMetadata> T apply(T desired) {
    return client.resource(desired).fieldManager(Labels.FIELD_MANAGER).forceConflicts().serverSideApply();
  }

  /** Applies objects the operator does not watch, once per change of their desired form. */
  void applyOnChange(String key, List<? extends HasMetadata> desired) {
    String hash = DesiredDeployment.hash(desired);
    if (hash.equals(appliedHashes.get(key))) return;
    desired.forEach(this::apply);
    appliedHashes.put(key, hash);
  }

  /** Creates the group's peer token once; an existing one (409) is kept, never rotated under running pods. */
  void ensureHubToken(ProcessGroup pg) {
    String key = "secret/" + pg.getMetadata().getUid();
    if (appliedHashes.containsKey(key)) return;
    try {
      client.secrets().inNamespace(pg.getMetadata().getNamespace()).resource(HubAccess.tokenSecret(pg)).create();
    } catch (KubernetesClientException e) {
      if (e.getCode() != 409) throw e;
    }
    appliedHashes.put(key, "created");
  }

  void applyAutoscaler(ProcessGroup pg, HorizontalPodAutoscaler hpa) {
    applyOnChange("hpa/" + pg.getMetadata().getUid() + "/" + hpa.getMetadata().getName(), List.of(hpa));
  }

  /** Removes the autoscaler of a process whose observed Deployment says it had one. */
  void deleteAutoscalerOf(Deployment observed) {
    if (observed == null || !"true".equals(observed.getMetadata().getLabels().get(Labels.AUTOSCALED))) return;
    client.autoscaling().v2().horizontalPodAutoscalers().inNamespace(observed.getMetadata().getNamespace())
        .withName(observed.getMetadata().getName()).delete();
    appliedHashes.keySet().removeIf(k -> k.startsWith("hpa/") && k.endsWith("/" + observed.getMetadata().getName()));
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

  void forget(ProcessGroup pg) {
    appliedHashes.keySet().removeIf(k -> k.contains(pg.getMetadata().getUid()));
  }
}
