package dev.procgroup.operator.sequencing;

import dev.procgroup.operator.desired.Labels;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentStatus;
import java.util.Map;
import java.util.Objects;

/**
 * What the cluster shows of one process, reduced to what sequencing needs.
 *
 * @param exists  its Deployment exists
 * @param current the Deployment carries the desired state (same applied hash)
 * @param ready   the Deployment finished rolling out: the controller saw the latest generation, and every
 *                replica is updated and available with no old ones left. fabric8's Readiness ignores
 *                observedGeneration, so right after a change it would call a stale Deployment ready.
 */
public record ObservedProcess(boolean exists, boolean current, boolean ready) {
  public static final ObservedProcess ABSENT = new ObservedProcess(false, false, false);

  public boolean currentAndReady() { return current && ready; }

  public static ObservedProcess of(Deployment observed, Deployment desired) {
    if (observed == null) return ABSENT;
    String observedHash = annotation(observed, Labels.APPLIED_HASH);
    boolean current = Objects.equals(observedHash, annotation(desired, Labels.APPLIED_HASH));
    return new ObservedProcess(true, current, isRolledOut(observed));
  }

  public static boolean isRolledOut(Deployment d) {
    DeploymentStatus s = d.getStatus();
    if (s == null || s.getObservedGeneration() == null) return false;
    if (s.getObservedGeneration() < d.getMetadata().getGeneration()) return false;
    int want = d.getSpec().getReplicas() == null ? 1 : d.getSpec().getReplicas();
    return n(s.getUpdatedReplicas()) == want && n(s.getAvailableReplicas()) == want && n(s.getReplicas()) == want;
  }

  private static int n(Integer i) { return i == null ? 0 : i; }

  private static String annotation(Deployment d, String key) {
    Map<String, String> a = d.getMetadata().getAnnotations();
    return a == null ? null : a.get(key);
  }
}
