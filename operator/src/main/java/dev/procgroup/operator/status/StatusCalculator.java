package dev.procgroup.operator.status;

import dev.procgroup.api.v1alpha1.ProcessGroup;
import dev.procgroup.api.v1alpha1.ProcessGroupStatus;
import dev.procgroup.api.v1alpha1.ProcessSpec;
import dev.procgroup.api.v1alpha1.ProcessStatus;
import dev.procgroup.operator.sequencing.Plan;
import io.fabric8.kubernetes.api.model.Condition;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Function;
import java.util.stream.Collectors;

/** The group's status as a pure function of the spec, the plan, what the cluster shows, the previous status and now. */
public final class StatusCalculator {
  public static final String PENDING = "Pending";
  public static final String PROGRESSING = "Progressing";
  public static final String RUNNING = "Running";
  public static final String DEGRADED = "Degraded";
  public static final String FAILED = "Failed";
  public static final String TERMINATING = "Terminating";

  private StatusCalculator() {}

  /**
   * @param notApplied why the desired state is not applied (refused spec, refused apply), or null
   */
  public static ProcessGroupStatus compute(ProcessGroup pg, Plan plan, Map<String, ProcessObservation> observed,
      NotApplied notApplied, Instant now) {
    ProcessGroupStatus previous = pg.getStatus();
    Map<String, ProcessStatus> before = previous == null ? Map.of() : previous.getProcesses().stream()
        .collect(Collectors.toMap(ProcessStatus::getName, Function.identity(), (a, b) -> a));
    CrashLoopPolicy policy = new CrashLoopPolicy(pg.getSpec().getRestart());
    boolean terminating = pg.getMetadata().getDeletionTimestamp() != null;
    long generation = pg.getMetadata().getGeneration() == null ? 0 : pg.getMetadata().getGeneration();

    List<ProcessStatus> processes = new ArrayList<>();
    List<ProcessFailure> failures = new ArrayList<>(); // per failing process, in start order; message names it
    int readyPods = 0, desiredPods = 0, readyProcesses = 0;
    List<ProcessSpec> specs = pg.getSpec().getProcesses().stream()
        .sorted(Comparator.comparingInt(ProcessSpec::effectiveOrder)).toList();
    for (ProcessSpec spec : specs) {
      ProcessObservation o = observed.get(spec.getName());
      ProcessStatus s = new ProcessStatus();
      s.setName(spec.getName());
      s.setOrder(spec.effectiveOrder());
      s.setDesired(o.desiredReplicas());
      s.setReady(o.readyReplicas());
      s.setRestarts(o.restarts());
      s.setLastTermination(o.lastTermination().orElse(null));
      s.setService(o.serviceAddress().orElse(null));
      CrashLoopPolicy.Verdict v = policy.judge(before.get(spec.getName()), s.getRestarts(),
          o.state().currentAndReady(), now);
      s.setRestartWindowStart(v.windowStart().toString());
      s.setRestartsAtWindowStart(v.baseline());
      ProcessFailure failure = o.failure().map(f -> keepAttemptMessage(f, before.get(spec.getName()))).orElse(null);
      s.setPhase(processPhase(spec.getName(), plan, o, v.crashLooping(), failure != null, terminating));
      if (v.crashLooping()) {
        String crash = "process " + spec.getName() + " restarted " + v.restartsInWindow() + " times within "
            + policy.window().toString().substring(2).toLowerCase() + " (limit " + policy.maxRestarts() + ")"
            + (s.getLastTermination() == null ? "" : "; last termination: " + s.getLastTermination());
        // the kind says more than "crash loop" when it is known (an OOM kill, a missing Secret)
        failures.add(new ProcessFailure(failure != null ? failure.reason() : ProcessFailure.CRASH_LOOP, crash, false));
        s.setReason(failures.get(failures.size() - 1).reason());
        s.setMessage(failure != null ? failure.message() : s.getLastTermination());
      } else if (failure != null) {
        failures.add(new ProcessFailure(failure.reason(), "process " + spec.getName() + ": " + failure.message(), false));
        s.setReason(failure.reason());
        s.setMessage(failure.message());
      }
      readyPods += s.getReady();
      desiredPods += s.getDesired();
      if (RUNNING.equals(s.getPhase())) readyProcesses++;
      processes.add(s);
    }

    boolean allReady = plan.complete() && readyProcesses == specs.size();
    String progressMessage = plan.complete() ? "all processes are current and ready"
        : "order " + plan.blockingOrder().getAsInt() + " (" + String.join(", ", plan.blockedBy()) + ") is not ready yet"
            + (plan.waiting().isEmpty() && plan.held().isEmpty() ? ""
                : "; waiting: " + String.join(", ", concat(plan.waiting(), plan.held())));
    String degradedMessage = notApplied != null ? notApplied.message()
        : failures.stream().map(ProcessFailure::message).collect(Collectors.joining("; "));
    boolean degraded = notApplied != null || !failures.isEmpty();

    String nowText = now.toString();
    List<Condition> prev = previous == null ? null : previous.getConditions();
    List<Condition> conditions = List.of(
        Conditions.of(prev, Conditions.READY, allReady && !terminating,
            terminating ? "Terminating" : allReady ? "AllProcessesReady" : "ProcessesNotReady",
            allReady ? readyProcesses + "/" + specs.size() + " processes ready" : progressMessage, generation, nowText),
        Conditions.of(prev, Conditions.PROGRESSING, !plan.complete() && !terminating,
            terminating ? "Terminating" : plan.complete() ? "RolloutComplete" : "RollingOutInOrder",
            progressMessage, generation, nowText),
        Conditions.of(prev, Conditions.DEGRADED, degraded,
            notApplied != null ? notApplied.reason() : degraded ? failures.get(0).reason() : "AsExpected",
            degraded ? degradedMessage : "no process is failing", generation, nowText));

    ProcessGroupStatus status = new ProcessGroupStatus();
    status.setObservedGeneration(generation);
    status.setProcesses(processes);
    status.setConditions(conditions);
    status.setReady(readyPods + "/" + desiredPods);
    status.setProcessesReady(readyProcesses + "/" + specs.size());
    String phase = terminating ? TERMINATING
        : notApplied != null ? FAILED
        : degraded ? DEGRADED
        : allReady ? RUNNING
        : observed.values().stream().noneMatch(o -> o.state().exists()) ? PENDING
        : PROGRESSING;
    status.setPhase(phase);
    status.setMessage(switch (phase) {
      case FAILED, DEGRADED -> degradedMessage;
      case RUNNING -> null;
      case TERMINATING -> "stopping processes in reverse order";
      default -> progressMessage;
    });
    return status;
  }

  /**
   * While the kubelet only says it backs off ("Back-off pulling image"), the message of the failed attempt itself
   * (ErrImagePull: not found) stays: it is the one that explains, and the status does not flip with each retry.
   */
  static ProcessFailure keepAttemptMessage(ProcessFailure now, ProcessStatus before) {
    if (now.backOff() && before != null && now.reason().equals(before.getReason()) && before.getMessage() != null) {
      return new ProcessFailure(now.reason(), before.getMessage(), true);
    }
    return now;
  }

  static String processPhase(String name, Plan plan, ProcessObservation o, boolean crashLoop, boolean failing,
      boolean terminating) {
    if (terminating) return "Stopping";
    if (crashLoop) return "CrashLoop";
    if (failing) return "Failing";
    if (plan.waiting().contains(name) || plan.held().contains(name)) return "Waiting";
    if (!o.state().exists()) return "Starting";
    if (o.state().currentAndReady()) return "Running";
    if (!o.state().current() || o.readyReplicas() > 0) return "Updating";
    return "Starting";
  }

  private static List<String> concat(List<String> a, List<String> b) {
    List<String> l = new ArrayList<>(a);
    l.addAll(b);
    return l;
  }

  /** Equal for the purpose of "is a status write needed". */
  public static boolean same(ProcessGroupStatus a, ProcessGroupStatus b) {
    return Objects.equals(a, b);
  }
}
