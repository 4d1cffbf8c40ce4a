package dev.procgroup.operator.sequencing;

import dev.procgroup.api.v1alpha1.ProcessSpec;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.Set;
import java.util.TreeMap;

/**
 * Pandora's start order across pods, as a pure function. Orders are walked upwards; every process of an order
 * is applied; the walk stops at the first order that is not yet current and available
 * ({@link ObservedProcess#isAvailable}), so:
 * <ul>
 *   <li>order k is created only when every lower order is available; equal orders start together;</li>
 *   <li>a spec change (or a restart annotation) rolls out order by order;</li>
 *   <li>a process that already exists is never deleted or changed because a lower order is unavailable (rolling
 *       out, or a crash, eviction or node problem): it keeps running, and its pending change is held back until
 *       the lower order is available again;</li>
 *   <li>a process with {@code scale: 0} never holds higher orders back: nothing of it has to be ready;</li>
 *   <li>changing an order re-sequences: the plan is recomputed from the spec every time.</li>
 * </ul>
 */
public final class Sequencer {
  private Sequencer() {}

  public static Plan plan(List<ProcessSpec> processes, Map<String, ObservedProcess> observed) {
    TreeMap<Integer, List<String>> byOrder = new TreeMap<>();
    Set<String> stopped = new HashSet<>();
    for (ProcessSpec p : processes) {
      byOrder.computeIfAbsent(p.effectiveOrder(), k -> new ArrayList<>()).add(p.getName());
      if (isStopped(p)) stopped.add(p.getName());
    }
    List<String> apply = new ArrayList<>();
    List<String> held = new ArrayList<>();
    List<String> waiting = new ArrayList<>();
    List<String> blockedBy = new ArrayList<>();
    Integer blockingOrder = null;
    for (Map.Entry<Integer, List<String>> order : byOrder.entrySet()) {
      if (blockingOrder != null) {
        for (String name : order.getValue()) {
          (state(observed, name).exists() ? held : waiting).add(name);
        }
        continue;
      }
      apply.addAll(order.getValue());
      for (String name : order.getValue()) {
        if (!stopped.contains(name) && !state(observed, name).currentAndReady()) blockedBy.add(name);
      }
      if (!blockedBy.isEmpty()) blockingOrder = order.getKey();
    }
    return new Plan(apply, held, waiting,
        blockingOrder == null ? OptionalInt.empty() : OptionalInt.of(blockingOrder), blockedBy);
  }

  /** {@code scale: 0}: the process is kept (its Deployment at zero replicas) but runs nothing. */
  public static boolean isStopped(ProcessSpec p) {
    return p.getAutoscale() == null && p.getScale() != null && p.getScale() == 0;
  }

  /**
   * Reverse-order stop: the highest order that still has anything running, or empty when nothing is left.
   *
   * @param runningOrders the order of every process that still has a Deployment or pods
   */
  public static OptionalInt nextOrderToStop(List<Integer> runningOrders) {
    return runningOrders.stream().mapToInt(Integer::intValue).max();
  }

  private static ObservedProcess state(Map<String, ObservedProcess> observed, String name) {
    return observed.getOrDefault(name, ObservedProcess.ABSENT);
  }
}
