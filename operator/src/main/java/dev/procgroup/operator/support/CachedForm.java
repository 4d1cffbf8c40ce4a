package dev.procgroup.operator.support;

import dev.procgroup.api.v1alpha1.ProcessGroup;
import dev.procgroup.operator.desired.Labels;
import io.fabric8.kubernetes.api.model.FieldsV1;
import io.fabric8.kubernetes.api.model.ManagedFieldsEntry;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * What the informer caches keep of the objects the operator reads but never writes whole: the rest is dropped as
 * each object arrives. At 1000 groups the caches' copies of pods and Deployments filled the heap, most of it
 * managedFields and pod specs (a JFR heap profile, bench/results/operator-scale-*). The operator reads:
 * <ul>
 *   <li>of a group: everything but managedFields (the operator's writes to it are fresh objects, never merges);
 *   <li>of a pod: metadata but managedFields, spec.nodeName (the stop names the node of a stuck pod) and status;
 *   <li>of a Deployment: metadata, spec (replicas, selector, the template's metadata: a tolerated restart
 *       annotation) and status; of its pod template's spec nothing (drift is judged from the applied hash and
 *       managedFields); of managedFields the spec fields of each manager that wrote the object itself (not a
 *       subresource), which is how {@code DeploymentDrift} sees a hand edit, and of the operator's own apply only
 *       whether it owns the replicas ({@code ClusterWriter.ownsReplicas}).
 * </ul>
 * Pure functions on the object as it arrives; the caller's copy is changed in place (it is the informer's own).
 */
public final class CachedForm {
  private CachedForm() {}

  public static ProcessGroup group(ProcessGroup pg) {
    pg.getMetadata().setManagedFields(null);
    return pg;
  }

  public static Pod pod(Pod pod) {
    pod.getMetadata().setManagedFields(null);
    if (pod.getSpec() != null) {
      PodSpec kept = new PodSpec();
      kept.setNodeName(pod.getSpec().getNodeName());
      pod.setSpec(kept);
    }
    return pod;
  }

  public static Deployment deployment(Deployment d) {
    List<ManagedFieldsEntry> entries = d.getMetadata().getManagedFields();
    if (entries != null) {
      List<ManagedFieldsEntry> kept = new ArrayList<>();
      for (ManagedFieldsEntry e : entries) {
        if (e.getSubresource() != null && !e.getSubresource().isEmpty()) continue;
        Object spec = e.getFieldsV1() == null ? null : e.getFieldsV1().getAdditionalProperties().get("f:spec");
        if (!(spec instanceof Map<?, ?> fields)) continue;
        boolean ours = Labels.FIELD_MANAGER.equals(e.getManager()) && "Apply".equals(e.getOperation());
        FieldsV1 f = new FieldsV1();
        f.setAdditionalProperty("f:spec", ours ? replicasOnly(fields) : spec);
        e.setFieldsV1(f);
        kept.add(e);
      }
      d.getMetadata().setManagedFields(kept);
    }
    if (d.getSpec() != null && d.getSpec().getTemplate() != null) d.getSpec().getTemplate().setSpec(null);
    return d;
  }

  private static Map<String, Object> replicasOnly(Map<?, ?> spec) {
    return spec.containsKey("f:replicas") ? Map.of("f:replicas", Map.of()) : Map.of();
  }
}
