package dev.procgroup.operator;

import dev.procgroup.api.v1alpha1.ProcessGroup;
import dev.procgroup.api.v1alpha1.ProcessSpec;
import dev.procgroup.operator.sequencing.Plan;
import dev.procgroup.operator.support.EventRecorder;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Keeps the processes the plan admits as {@link dev.procgroup.operator.desired.DesiredDeployment} wants them,
 * level-triggered from the informer cache ({@link DeploymentDrift}: missing, another spec, scaled or edited by
 * hand), and stops processes removed from the spec. One refused write does not skip the other processes: every
 * process is tried, and the refusals are returned together.
 */
final class ProcessDeployments {
  private final ClusterWriter cluster;
  /** Foreign fields a template replacement met and could not remove, by Deployment uid (see DeploymentDrift). */
  private final Map<String, String> tolerated = new ConcurrentHashMap<>();

  ProcessDeployments(ClusterWriter cluster) {
    this.cluster = cluster;
  }

  /** @return the API server's refusals, one line per process (empty when every write went through) */
  List<String> sync(ProcessGroup pg, Plan plan, Map<String, Deployment> desired, Map<String, Deployment> observed,
      EventRecorder recorder) {
    List<String> refused = new ArrayList<>();
    Map<Integer, List<String>> started = new TreeMap<>();
    Map<Integer, List<String>> updated = new TreeMap<>();
    Map<String, ProcessSpec> specs = new TreeMap<>();
    pg.getSpec().getProcesses().forEach(p -> specs.put(p.getName(), p));
    for (String name : plan.apply()) {
      Deployment want = desired.get(name);
      Deployment have = observed.get(name);
      try {
        switch (DeploymentDrift.of(want, have, toleratedOf(have))) {
          case NONE -> { }
          case APPLY -> {
            cluster.applyDeployment(want, have);
            (have == null ? started : updated).computeIfAbsent(specs.get(name).effectiveOrder(),
                k -> new ArrayList<>()).add(name);
          }
          case REPLACE_TEMPLATE -> repair(pg, want, have, recorder);
        }
      } catch (KubernetesClientException e) {
        refused.add(name + ": " + ClusterWriter.apiMessage(e));
      }
    }
    started.forEach((order, names) -> recorder.normal(pg, "StartingOrder",
        "starting order " + order + ": " + String.join(", ", names)));
    updated.forEach((order, names) -> recorder.normal(pg, "UpdatingOrder",
        "rolling out order " + order + ": " + String.join(", ", names)));
    refused.addAll(deleteRemoved(pg, desired.keySet(), observed, recorder));
    return refused;
  }

  /** A hand edit of the template is undone; what cannot be undone (our values co-owned) is not retried. */
  private void repair(ProcessGroup pg, Deployment want, Deployment have, EventRecorder recorder) {
    List<String> foreign = DeploymentDrift.foreignSpecFields(have);
    Deployment after = cluster.replaceTemplate(DeploymentDrift.keepingToleratedAnnotations(want, have));
    recorder.normal(pg, "DeploymentRepaired", "Deployment " + have.getMetadata().getName()
        + " was edited outside the group (" + String.join(", ", foreign) + "); its template is the group's again");
    List<String> left = DeploymentDrift.foreignSpecFields(after);
    if (!left.isEmpty()) tolerated.put(after.getMetadata().getUid(), DeploymentDrift.fingerprint(want, left));
  }

  private Set<String> toleratedOf(Deployment have) {
    String t = have == null ? null : tolerated.get(have.getMetadata().getUid());
    return t == null ? Set.of() : Set.of(t);
  }

  private List<String> deleteRemoved(ProcessGroup pg, Set<String> wanted, Map<String, Deployment> observed,
      EventRecorder recorder) {
    List<String> refused = new ArrayList<>();
    observed.forEach((name, d) -> {
      if (wanted.contains(name) || d.getMetadata().getDeletionTimestamp() != null) return;
      try {
        cluster.deleteDeployment(d);
        tolerated.remove(d.getMetadata().getUid());
        recorder.normal(pg, "ProcessRemoved", "process " + name + " is no longer in the spec; stopping it");
      } catch (KubernetesClientException e) {
        refused.add(name + ": " + ClusterWriter.apiMessage(e));
      }
    });
    return refused;
  }

  void forget(Iterable<Deployment> deployments) {
    deployments.forEach(d -> tolerated.remove(d.getMetadata().getUid()));
  }
}
