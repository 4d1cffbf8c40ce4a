package dev.procgroup.operator;

import dev.procgroup.api.v1alpha1.ProcessGroup;
import dev.procgroup.api.v1alpha1.ProcessGroupStatus;
import dev.procgroup.api.v1alpha1.ProcessStatus;
import dev.procgroup.operator.status.ProcessFailure;
import dev.procgroup.operator.status.StatusCalculator;
import dev.procgroup.operator.support.EventRecorder;
import java.util.Map;
import java.util.Objects;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * Events for what changed between two statuses: a process became ready, started failing (with the failure's reason
 * and the pod's message), recovered or crash-loops; the group's phase moved.
 */
final class Transitions {
  private Transitions() {}

  static void record(ProcessGroup pg, ProcessGroupStatus before, ProcessGroupStatus after, EventRecorder events) {
    Map<String, ProcessStatus> old = before == null ? Map.of() : before.getProcesses().stream()
        .collect(Collectors.toMap(ProcessStatus::getName, Function.identity(), (a, b) -> a));
    for (ProcessStatus p : after.getProcesses()) {
      ProcessStatus was = old.get(p.getName());
      failureChanged(pg, was == null ? null : was.getReason(), p, events);
      String wasPhase = was == null ? null : was.getPhase();
      if (Objects.equals(wasPhase, p.getPhase())) continue;
      if ("Running".equals(p.getPhase())) {
        events.normal(pg, "ProcessReady", "process " + p.getName() + " (order " + p.getOrder() + ") is ready: "
            + p.getReady() + "/" + p.getDesired());
      } else if ("CrashLoop".equals(p.getPhase())) {
        events.warning(pg, "CrashLoop", "process " + p.getName() + " is crash-looping (" + loopingPods(p) + ")"
            + (p.getLastTermination() == null ? "" : "; last termination: " + p.getLastTermination()));
      }
    }
    String wasPhase = before == null ? null : before.getPhase();
    if (!Objects.equals(wasPhase, after.getPhase())) {
      phaseChanged(pg, wasPhase, after, events);
    }
  }

  /** The pods in a crash loop, each with its restarts within the window (the judgement is per pod). */
  static String loopingPods(ProcessStatus p) {
    if (p.getPodRestarts() == null) return p.getRestarts() + " restarts";
    String pods = p.getPodRestarts().stream().filter(r -> Boolean.TRUE.equals(r.getCrashLoop()))
        .map(r -> "pod " + r.getPod() + ": " + (r.getRecent() == null ? 0 : r.getRecent().size())
            + " restarts within the window")
        .collect(java.util.stream.Collectors.joining(", "));
    return pods.isEmpty() ? p.getRestarts() + " restarts" : pods;
  }

  /** A crash loop has its own event (the phase CrashLoop); every other kind is announced here. */
  private static void failureChanged(ProcessGroup pg, String wasReason, ProcessStatus p, EventRecorder events) {
    if (Objects.equals(wasReason, p.getReason())) return;
    if (p.getReason() == null) {
      events.normal(pg, "ProcessRecovered", "process " + p.getName() + " recovered from " + wasReason);
    } else if (!ProcessFailure.CRASH_LOOP.equals(p.getReason())) {
      events.warning(pg, p.getReason(), "process " + p.getName() + ": " + p.getMessage());
    }
  }

  private static void phaseChanged(ProcessGroup pg, String wasPhase, ProcessGroupStatus after, EventRecorder events) {
    String message = "phase " + (wasPhase == null ? "(new)" : wasPhase) + " -> " + after.getPhase()
        + (after.getMessage() == null ? "" : ": " + after.getMessage());
    boolean bad = StatusCalculator.DEGRADED.equals(after.getPhase()) || StatusCalculator.FAILED.equals(after.getPhase());
    if (bad) {
      events.warning(pg, after.getPhase(), message);
    } else {
      events.normal(pg, after.getPhase(), message);
    }
  }
}
