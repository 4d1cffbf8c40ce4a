package dev.procgroup.operator;

import dev.procgroup.operator.desired.Labels;
import io.fabric8.kubernetes.api.model.ManagedFieldsEntry;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;

/**
 * What it takes to bring an observed Deployment to the desired one, judged from the informer's copy alone (no API
 * read). The desired form is the applied hash and the replicas; a hand edit is seen in {@code managedFields}: any
 * field of the spec that a manager other than the operator's server-side apply owns was set by someone else
 * (an edit that changes one of our values takes that field over, an edit that adds one owns it). Ownership, not
 * values, because the API server's defaults make a value-by-value comparison of pod templates unreliable.
 * Public for the API tests, which hold it against Deployments as a real API server returns them.
 */
public enum DeploymentDrift {
  NONE,
  /** Missing, another spec, scaled by hand, or a field outside the pod template set by someone else: apply. */
  APPLY,
  /** Someone else set fields of the spec: the template is replaced with ours (apply cannot remove their fields). */
  REPLACE_TEMPLATE;

  /** Template annotations others may set without it being drift: {@code kubectl rollout restart} is a restart. */
  public static final Set<String> TOLERATED_TEMPLATE_ANNOTATIONS = Set.of("kubectl.kubernetes.io/restartedAt");
  /** The manager that keeps the replicas while an autoscaler takes them over (see {@link ClusterWriter}). */
  public static final String REPLICAS_HANDOVER_MANAGER = Labels.FIELD_MANAGER + "-replicas-handover";

  /**
   * @param tolerated fingerprints ({@link #fingerprint}) of foreign fields a replacement already met and could not
   *     remove (another manager co-owning our own values): not drift again until they or the spec change
   */
  public static DeploymentDrift of(Deployment want, Deployment have, Set<String> tolerated) {
    if (have == null) return APPLY;
    Map<String, String> annotations = have.getMetadata().getAnnotations();
    String wantHash = hash(want);
    if (annotations == null || !wantHash.equals(annotations.get(Labels.APPLIED_HASH))) return APPLY;
    if (want.getSpec().getReplicas() != null
        && !Objects.equals(want.getSpec().getReplicas(), have.getSpec().getReplicas())) return APPLY;
    List<String> foreign = foreignSpecFields(have);
    if (foreign.isEmpty() || tolerated.contains(fingerprint(want, foreign))) return NONE;
    // outside the template a forced apply takes our values back; inside it, others' fields must be removed too
    return foreign.stream().anyMatch(f -> f.contains(": spec.template.")) ? REPLACE_TEMPLATE : APPLY;
  }

  /** The foreign fields together with the desired hash: a spec change lifts a toleration. */
  public static String fingerprint(Deployment want, List<String> foreignFields) {
    return hash(want) + " " + String.join(" ", foreignFields);
  }

  /**
   * Fields of {@code spec} owned by anyone but the operator's apply, as "manager: path" (sorted). The replicas are
   * not counted: the autoscaler, {@code kubectl scale} and the handover own them by design, and a hand scaling is
   * compared by value in {@link #of}. Status and the scale subresource are not the spec.
   */
  @SuppressWarnings("unchecked")
  public static List<String> foreignSpecFields(Deployment have) {
    Set<String> paths = new TreeSet<>();
    List<ManagedFieldsEntry> entries = have.getMetadata().getManagedFields();
    if (entries == null) return List.of();
    for (ManagedFieldsEntry e : entries) {
      if (isOurApply(e) || e.getSubresource() != null && !e.getSubresource().isEmpty() || e.getFieldsV1() == null) continue;
      Object spec = e.getFieldsV1().getAdditionalProperties().get("f:spec");
      if (!(spec instanceof Map<?, ?> m)) continue;
      List<String> leaves = new ArrayList<>();
      for (Map.Entry<String, Object> f : ((Map<String, Object>) m).entrySet()) {
        if (!f.getKey().equals("f:replicas")) leaves(f.getValue(), "spec." + f.getKey().substring(2), leaves);
      }
      leaves.stream().filter(p -> !tolerated(p)).forEach(p -> paths.add(e.getManager() + ": " + p));
    }
    return List.copyOf(paths);
  }

  /** The managedFields entry of the operator's server-side apply (its Update entries, from repairs, are not it). */
  static boolean isOurApply(ManagedFieldsEntry e) {
    return Labels.FIELD_MANAGER.equals(e.getManager()) && "Apply".equals(e.getOperation());
  }

  /** Leaf paths of a FieldsV1 tree; "." (the object or list item itself exists) is not a field of its own. */
  @SuppressWarnings("unchecked")
  private static void leaves(Object node, String path, List<String> out) {
    if (!(node instanceof Map<?, ?> m) || m.isEmpty()) {
      out.add(path);
      return;
    }
    boolean any = false;
    for (Map.Entry<String, Object> c : ((Map<String, Object>) m).entrySet()) {
      if (c.getKey().equals(".")) continue;
      any = true;
      String key = c.getKey().startsWith("f:") ? c.getKey().substring(2) : c.getKey();
      leaves(c.getValue(), path + "." + key, out);
    }
    if (!any) out.add(path);
  }

  /** The desired Deployment with the tolerated template annotations the observed one has (a replacement keeps them). */
  public static Deployment keepingToleratedAnnotations(Deployment want, Deployment have) {
    Map<String, String> haveAnnotations = have.getSpec().getTemplate().getMetadata() == null ? null
        : have.getSpec().getTemplate().getMetadata().getAnnotations();
    if (haveAnnotations == null) return want;
    Deployment copy = new DeploymentBuilder(want).build();
    var meta = copy.getSpec().getTemplate().getMetadata();
    Map<String, String> annotations = new java.util.LinkedHashMap<>(meta.getAnnotations() == null ? Map.of()
        : meta.getAnnotations());
    TOLERATED_TEMPLATE_ANNOTATIONS.forEach(a -> {
      if (haveAnnotations.containsKey(a)) annotations.put(a, haveAnnotations.get(a));
    });
    meta.setAnnotations(annotations);
    return copy;
  }

  private static boolean tolerated(String path) {
    return TOLERATED_TEMPLATE_ANNOTATIONS.stream()
        .anyMatch(a -> path.equals("spec.template.metadata.annotations." + a));
  }

  private static String hash(Deployment d) {
    return d.getMetadata().getAnnotations().get(Labels.APPLIED_HASH);
  }
}
