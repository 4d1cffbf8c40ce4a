package dev.procgroup.operator;

import dev.procgroup.api.v1alpha1.ProcessGroup;
import dev.procgroup.api.v1alpha1.ProcessSpec;
import dev.procgroup.operator.desired.Labels;
import dev.procgroup.operator.sequencing.Sequencer;
import dev.procgroup.operator.support.EventRecorder;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Stream;

/**
 * The reverse-order stop of a deleted group: the highest order that still has Deployments or pods is stopped, and
 * the next one only once its pods are gone. A pod that stays Terminating longer than the stop timeout after its
 * deletion (its node is dead, a finalizer of someone else's) no longer holds the next order, with a Warning event
 * naming it: the group's deletion must end, and such a pod is the node's problem, not the group's.
 */
final class OrderedStop {
  /** What to do now: delete these Deployments (may be empty), or, when {@code done}, remove the finalizer. */
  record Step(boolean done, int order, List<String> processes, List<Deployment> toDelete, List<String> stuck) {}

  private OrderedStop() {}

  /**
   * Pure: from the informers' Deployments and pods of the group, by process (pods without a process label are not
   * a process's and are ignored).
   */
  static Step next(ProcessGroup pg, Map<String, Deployment> deployments, Map<String, List<Pod>> pods,
      Instant now, Duration timeout) {
    List<String> stuck = new ArrayList<>();
    Map<String, Integer> orders = new TreeMap<>();
    for (String name : new TreeSet<>(union(deployments.keySet(), pods.keySet()))) {
      if (name.isEmpty()) continue;
      Deployment d = deployments.get(name);
      List<Pod> live = pods.getOrDefault(name, List.of());
      List<String> stuckHere = live.stream().filter(p -> stuckFor(p, now, timeout)).map(OrderedStop::name).toList();
      boolean gone = (d == null || stuckFor(d, now, timeout)) && stuckHere.size() == live.size();
      if (gone) {
        stuck.addAll(stuckHere);
        continue;
      }
      orders.put(name, orderOf(pg, name, d));
    }
    OptionalInt next = Sequencer.nextOrderToStop(new ArrayList<>(orders.values()));
    if (next.isEmpty()) return new Step(true, -1, List.of(), List.of(), stuck);
    List<String> stopping = orders.entrySet().stream().filter(e -> e.getValue() == next.getAsInt())
        .map(Map.Entry::getKey).toList();
    List<Deployment> toDelete = stopping.stream().map(deployments::get)
        .filter(d -> d != null && d.getMetadata().getDeletionTimestamp() == null).toList();
    return new Step(false, next.getAsInt(), stopping, toDelete, stuck);
  }

  /** Deleted longer ago than the timeout (the deletion timestamp already includes the grace period). */
  static boolean stuckFor(HasMetadata o, Instant now, Duration timeout) {
    String deleted = o.getMetadata().getDeletionTimestamp();
    return deleted != null && Instant.parse(deleted).plus(timeout).isBefore(now);
  }

  /**
   * @param announced stuck pods already reported, kept by the caller so that the warning is made once per pod,
   *     not on every recheck
   */
  static void announce(ProcessGroup pg, Step step, Duration timeout, EventRecorder recorder,
      java.util.Set<String> announced) {
    String key = pg.getMetadata().getUid() + " ";
    if (!step.stuck().isEmpty() && !announced.containsAll(step.stuck().stream().map(key::concat).toList())) {
      step.stuck().forEach(p -> announced.add(key + p));
      recorder.warning(pg, "StopTimedOut", "pods still terminating " + timeout.toSeconds() + "s after their deletion "
          + "no longer hold the stop (their node may be down): " + String.join(", ", step.stuck()));
    }
    if (!step.toDelete().isEmpty()) {
      recorder.normal(pg, "StoppingOrder", "stopping order " + step.order() + ": " + String.join(", ", step.processes()));
    }
  }

  private static int orderOf(ProcessGroup pg, String process, Deployment d) {
    return pg.getSpec().getProcesses().stream().filter(p -> p.getName().equals(process)).findFirst()
        .map(ProcessSpec::effectiveOrder)
        .orElseGet(() -> {
          String label = d == null ? null : d.getMetadata().getLabels().get(Labels.ORDER);
          try {
            return label == null ? Integer.MAX_VALUE : Integer.parseInt(label);
          } catch (NumberFormatException e) {
            return Integer.MAX_VALUE; // a hand-edited label: stopped first, as the least known
          }
        });
  }

  private static String name(Pod p) {
    return p.getMetadata().getName() + (p.getSpec() != null && p.getSpec().getNodeName() != null
        ? " (node " + p.getSpec().getNodeName() + ")" : "");
  }

  private static <T> List<T> union(java.util.Collection<T> a, java.util.Collection<T> b) {
    return Stream.concat(a.stream(), b.stream()).toList();
  }
}
