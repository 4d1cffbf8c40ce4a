package dev.procgroup.operator.sequencing;

import dev.procgroup.operator.desired.DesiredDeployment;
import dev.procgroup.operator.desired.Labels;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentCondition;
import io.fabric8.kubernetes.api.model.apps.DeploymentStatus;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.util.Map;
import java.util.Objects;

/**
 * What the cluster shows of one process, reduced to what sequencing and status need. The one rule for "ready enough
 * to start the next order and to count the group Ready" is {@link #isAvailable(Deployment)}; operator/README.md,
 * "Semantics", says it in words.
 *
 * @param exists    its Deployment exists
 * @param current   the Deployment carries the desired state: the same applied hash, or one that differs only in
 *                  the replica count (a scale change, which rolls nothing out)
 * @param ready     the process is available ({@link #isAvailable}): the Deployment controller saw the latest
 *                  generation, the current template has rolled out, and at least one replica is available (none
 *                  are wanted: scale 0)
 * @param rolledOut the current template has rolled out ({@link #isTemplateRolledOut}), whether or not a replica is
 *                  available now: a process that is rolled out but not ready has lost its replicas (a crash, an
 *                  eviction, a node problem), it is not rolling out
 * @param stale     the Deployment controller has not yet seen the latest generation, so its status describes an
 *                  older spec: not ready, since right after a template change the old template's status would look
 *                  rolled out (fabric8's Readiness ignores observedGeneration)
 * @param rescale   the applied hash differs only in the replica count: a pending scale change
 */
public record ObservedProcess(boolean exists, boolean current, boolean ready, boolean rolledOut, boolean stale,
    boolean rescale) {
  public static final ObservedProcess ABSENT = new ObservedProcess(false, false, false, false, false, false);
  /** The Deployment controller's reason for "this ReplicaSet has successfully progressed" (kept through scaling). */
  static final String NEW_RS_AVAILABLE = "NewReplicaSetAvailable";

  /** A process as the tests and the older sequencing saw it: ready means rolled out, nothing stale or rescaled. */
  public ObservedProcess(boolean exists, boolean current, boolean ready) {
    this(exists, current, ready, ready, false, false);
  }

  public boolean currentAndReady() { return current && ready; }

  /** Rolled out and current, yet without an available replica: it ran, and lost its replicas. */
  public boolean lostAvailability() { return exists && current && rolledOut && !ready && !stale; }

  public static ObservedProcess of(Deployment observed, Deployment desired) {
    if (observed == null) return ABSENT;
    String observedHash = annotation(observed, Labels.APPLIED_HASH);
    boolean exact = Objects.equals(observedHash, annotation(desired, Labels.APPLIED_HASH));
    boolean rescale = !exact && observedHash != null && onlyReplicasDiffer(observedHash, observed, desired);
    boolean stale = !seenLatest(observed);
    // a pending scale change from zero: nothing runs yet that the new count wants
    boolean fromZero = rescale && desired.getSpec().getReplicas() != null && desired.getSpec().getReplicas() > 0
        && n(observed.getStatus() == null ? null : observed.getStatus().getAvailableReplicas()) == 0;
    return new ObservedProcess(true, exact || rescale, isAvailable(observed) && !fromZero,
        !stale && isTemplateRolledOut(observed), stale, rescale);
  }

  /**
   * THE availability rule: the Deployment controller has seen the latest generation, the current template has
   * rolled out ({@link #isTemplateRolledOut}), and at least one replica is available, unless none are wanted.
   * Replicas an HPA or a scale change adds, or one evicted or crashed pod among several, do not make a process
   * unavailable: the READY count shows the shortfall, pod failures make the group Degraded. The Deployment's own
   * {@code Available} condition (replicas minus maxUnavailable) is not used: with 25% it turns False on every
   * scale-up by more than a quarter and on any single lost pod below four replicas.
   */
  public static boolean isAvailable(Deployment d) {
    if (!seenLatest(d) || !isTemplateRolledOut(d)) return false;
    return wanted(d) == 0 || n(d.getStatus().getAvailableReplicas()) >= 1;
  }

  /**
   * The current template has rolled out: no replica of an older template is left, and either every wanted replica
   * is updated and available right now ({@link #isRolledOut}), or the Deployment controller has recorded this
   * template's rollout as complete (condition Progressing, reason NewReplicaSetAvailable). The controller sets
   * that reason when a rollout completes and keeps it through later scaling and lost pods, until the template
   * changes; so a rollout of a new template needs all its replicas updated and available once.
   */
  public static boolean isTemplateRolledOut(Deployment d) {
    DeploymentStatus s = d.getStatus();
    if (s == null || !seenLatest(d)) return false;
    if (n(s.getUpdatedReplicas()) != n(s.getReplicas())) return false; // pods of an older template are left
    return isRolledOut(d) || completed(s);
  }

  /** Every wanted replica is updated and available, with none left over (the end of a rollout). */
  public static boolean isRolledOut(Deployment d) {
    DeploymentStatus s = d.getStatus();
    if (s == null || !seenLatest(d)) return false;
    int want = wanted(d);
    return n(s.getUpdatedReplicas()) == want && n(s.getAvailableReplicas()) == want && n(s.getReplicas()) == want;
  }

  private static boolean completed(DeploymentStatus s) {
    if (s.getConditions() == null) return false;
    for (DeploymentCondition c : s.getConditions()) {
      if ("Progressing".equals(c.getType())) {
        return "True".equals(c.getStatus()) && NEW_RS_AVAILABLE.equals(c.getReason());
      }
    }
    return false;
  }

  private static boolean seenLatest(Deployment d) {
    DeploymentStatus s = d.getStatus();
    if (s == null || s.getObservedGeneration() == null) return false;
    Long generation = d.getMetadata().getGeneration();
    return generation == null || s.getObservedGeneration() >= generation;
  }

  private static int wanted(Deployment d) {
    return d.getSpec() == null || d.getSpec().getReplicas() == null ? 1 : d.getSpec().getReplicas();
  }

  /**
   * Whether the observed hash is the desired Deployment's with only the replicas changed: the hash is over the
   * Deployment without its annotations ({@link DesiredDeployment#of}). Checked against the desired hash first, so a
   * different hashing falls back to "not current", never to a wrong "current".
   */
  static boolean onlyReplicasDiffer(String observedHash, Deployment observed, Deployment desired) {
    if (desired == null || desired.getSpec() == null || observed.getSpec() == null) return false;
    Deployment bare = Serialization.clone(desired);
    bare.getMetadata().setAnnotations(null);
    if (!Objects.equals(DesiredDeployment.hash(bare), annotation(desired, Labels.APPLIED_HASH))) return false;
    bare.getSpec().setReplicas(observed.getSpec().getReplicas());
    return observedHash.equals(DesiredDeployment.hash(bare));
  }

  private static int n(Integer i) { return i == null ? 0 : i; }

  private static String annotation(Deployment d, String key) {
    Map<String, String> a = d.getMetadata().getAnnotations();
    return a == null ? null : a.get(key);
  }
}
