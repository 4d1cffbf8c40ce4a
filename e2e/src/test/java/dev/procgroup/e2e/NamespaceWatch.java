package dev.procgroup.e2e;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Predicate;

/**
 * What the test's own informers saw in one namespace, each event stamped with the instant it arrived (millisecond
 * resolution, where the cluster's own timestamps have seconds): every Deployment UID under each name, every pod by
 * UID with when it was added, first Ready, asked to stop and gone, and the ordered list of pod readiness changes,
 * from which the number of Ready pods of a process at any moment is replayed. Started before the groups it
 * watches are created, so nothing of theirs is missed (outside an apiserver outage: then the relist fills in).
 */
final class NamespaceWatch implements AutoCloseable {
  static final String GROUP = "procgroup.dev/group";
  static final String PROCESS = "procgroup.dev/process";
  static final String RESTARTED_AT = "procgroup.dev/restartedAt";

  /** One pod as the watch saw it. */
  static final class PodSeen {
    final String uid, name, group, process;
    final Instant added;
    volatile Instant firstReady, stopRequested, gone;

    PodSeen(String uid, String name, String group, String process, Instant added) {
      this.uid = uid;
      this.name = name;
      this.group = group;
      this.process = process;
      this.added = added;
    }
  }

  /** A pod's "counts as Ready" (Ready and not terminating) changed at {@code at}. */
  record Readiness(Instant at, String uid, String group, String process, boolean ready) {}

  final Map<String, PodSeen> pods = new ConcurrentHashMap<>();
  final Map<String, Set<String>> deploymentUids = new ConcurrentHashMap<>();
  /** "deployment@restartedAt" -> when its template first carried that stamp / when it first rolled it out. */
  final Map<String, Instant> stampApplied = new ConcurrentHashMap<>();
  final Map<String, Instant> stampRolledOut = new ConcurrentHashMap<>();
  private final List<Readiness> readiness = new ArrayList<>();
  private final Map<String, Boolean> lastReady = new HashMap<>();
  private final SharedIndexInformer<Deployment> deploymentInformer;
  private final SharedIndexInformer<Pod> podInformer;

  NamespaceWatch(KubernetesClient client, String ns) {
    deploymentInformer = client.apps().deployments().inNamespace(ns).inform(new ResourceEventHandler<>() {
      @Override public void onAdd(Deployment d) { seen(d); }
      @Override public void onUpdate(Deployment o, Deployment d) { seen(d); }
      @Override public void onDelete(Deployment d, boolean unknown) {}
    });
    podInformer = client.pods().inNamespace(ns).inform(new ResourceEventHandler<>() {
      @Override public void onAdd(Pod p) { track(p, false); }
      @Override public void onUpdate(Pod o, Pod p) { track(p, false); }
      @Override public void onDelete(Pod p, boolean unknown) { track(p, true); }
    });
  }

  private void seen(Deployment d) {
    Instant now = Instant.now();
    String name = d.getMetadata().getName();
    deploymentUids.computeIfAbsent(name, k -> ConcurrentHashMap.newKeySet()).add(d.getMetadata().getUid());
    Map<String, String> a = d.getSpec().getTemplate().getMetadata().getAnnotations();
    String stamp = a == null ? null : a.get(RESTARTED_AT);
    if (stamp == null) return;
    stampApplied.putIfAbsent(name + "@" + stamp, now);
    var st = d.getStatus();
    int want = d.getSpec().getReplicas() == null ? 1 : d.getSpec().getReplicas();
    boolean current = st != null && st.getObservedGeneration() != null
        && st.getObservedGeneration() >= d.getMetadata().getGeneration();
    // Rolled out: every replica updated to this template and available, no old one left.
    if (current && eq(st.getUpdatedReplicas(), want) && eq(st.getAvailableReplicas(), want) && eq(st.getReplicas(), want)) {
      stampRolledOut.putIfAbsent(name + "@" + stamp, now);
    }
  }

  private synchronized void track(Pod p, boolean deleted) {
    Instant now = Instant.now();
    Map<String, String> labels = p.getMetadata().getLabels() == null ? Map.of() : p.getMetadata().getLabels();
    String uid = p.getMetadata().getUid();
    PodSeen s = pods.computeIfAbsent(uid, k -> new PodSeen(uid, p.getMetadata().getName(), labels.get(GROUP),
        labels.get(PROCESS), now));
    boolean ready = !deleted && p.getMetadata().getDeletionTimestamp() == null && podReady(p);
    if (ready && s.firstReady == null) s.firstReady = now;
    if ((deleted || p.getMetadata().getDeletionTimestamp() != null) && s.stopRequested == null) s.stopRequested = now;
    if (deleted) s.gone = now;
    Boolean before = lastReady.put(uid, ready);
    if (before == null ? ready : before != ready) readiness.add(new Readiness(now, uid, s.group, s.process, ready));
  }

  static boolean podReady(Pod p) {
    return p.getStatus() != null && p.getStatus().getConditions() != null && p.getStatus().getConditions().stream()
        .anyMatch(c -> "Ready".equals(c.getType()) && "True".equals(c.getStatus()));
  }

  /** Pods of a process (or of every process of the group, with {@code process == null}) that match. */
  List<PodSeen> pods(String group, String process, Predicate<PodSeen> filter) {
    return pods.values().stream().filter(s -> group.equals(s.group))
        .filter(s -> process == null || process.equals(s.process)).filter(filter).toList();
  }

  /** Pods of the process the watch first saw after {@code since}. */
  List<PodSeen> podsAddedAfter(String group, String process, Instant since) {
    return pods(group, process, s -> s.added.isAfter(since));
  }

  /** The fewest pods of the process that counted as Ready at any moment in [from, to], replayed from the watch. */
  synchronized int minReady(String group, String process, Instant from, Instant to) {
    Set<String> ready = new HashSet<>();
    boolean opened = false;
    int min = Integer.MAX_VALUE;
    for (Readiness r : readiness) {
      if (!group.equals(r.group()) || !process.equals(r.process())) continue;
      if (r.at().isAfter(to)) break;
      if (!opened && !r.at().isBefore(from)) {
        min = ready.size(); // the state as the window opened
        opened = true;
      }
      if (r.ready()) ready.add(r.uid()); else ready.remove(r.uid());
      if (opened) min = Math.min(min, ready.size());
    }
    return opened ? min : ready.size(); // no change within the window: the state before it held throughout
  }

  /** The readiness changes of a process in [from, to], for failure messages. */
  synchronized List<Readiness> readinessChanges(String group, String process, Instant from, Instant to) {
    return readiness.stream().filter(r -> group.equals(r.group()) && process.equals(r.process()))
        .filter(r -> !r.at().isBefore(from) && !r.at().isAfter(to)).toList();
  }

  static boolean eq(Integer actual, int want) { return actual != null && actual == want; }

  @Override
  public void close() {
    deploymentInformer.close();
    podInformer.close();
  }
}
