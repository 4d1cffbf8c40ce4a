package dev.procgroup.operator.status;

import dev.procgroup.api.v1alpha1.ProcessGroup;
import dev.procgroup.api.v1alpha1.ProcessGroupStatus;
import dev.procgroup.api.v1alpha1.ProcessSpec;
import dev.procgroup.api.v1alpha1.ProcessStatus;
import dev.procgroup.operator.sequencing.ObservedProcess;
import dev.procgroup.operator.sequencing.Plan;
import dev.procgroup.operator.sequencing.Sequencer;
import io.fabric8.kubernetes.api.model.Condition;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/** The group's status as a pure function of the spec, the plan, what the cluster shows, the previous status and now. */
public final class StatusCalculator {
  public static final String PENDING = "Pending";
  public static final String PROGRESSING = "Progressing";
  public static final String RUNNING = "Running";
  public static final String DEGRADED = "Degraded";
  public static final String FAILED = "Failed";
  public static final String TERMINATING = "Terminating";
  /** Process phases beyond the group's. */
  public static final String WAITING = "Waiting";
  public static final String UNAVAILABLE = "Unavailable";
  public static final String STOPPED = "Stopped";
  public static final String FAILING = "Failing";
  public static final String CRASH_LOOP = "CrashLoop";

  /** Process phases that mean "it ran": losing every replica after one of them is Unavailable, not Starting. */
  static final Set<String> HAS_RUN = Set.of(RUNNING, UNAVAILABLE, "Updating", FAILING, CRASH_LOOP);
  /** Process phases kept while the Deployment controller has not yet seen a change that only scaled the process. */
  static final Set<String> KEPT_WHILE_STALE = Set.of(RUNNING, UNAVAILABLE);

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
    List<String> unavailable = new ArrayList<>();      // their Degraded messages, for the Ready condition
    List<String> rolling = new ArrayList<>();          // processes whose change is rolling out now
    List<String> pending = new ArrayList<>();          // processes whose change waits for a lower order
    List<String> notRunning = new ArrayList<>();
    int readyPods = 0, desiredPods = 0, readyProcesses = 0, running = 0, stopped = 0;
    List<ProcessSpec> specs = pg.getSpec().getProcesses().stream()
        .sorted(Comparator.comparingInt(ProcessSpec::effectiveOrder)).toList();
    for (ProcessSpec spec : specs) {
      ProcessObservation o = observed.get(spec.getName());
      ProcessStatus was = before.get(spec.getName());
      ProcessStatus s = new ProcessStatus();
      s.setName(spec.getName());
      s.setOrder(spec.effectiveOrder());
      s.setDesired(o.desiredReplicas());
      s.setReady(o.readyReplicas());
      s.setRestarts(o.restarts());
      s.setLastTermination(o.lastTermination().orElse(null));
      s.setService(o.serviceAddress().orElse(null));
      CrashLoopPolicy.Verdict v = policy.judge(was == null ? null : was.getPodRestarts(), o.pods(), spec.getName(),
          now);
      s.setPodRestarts(v.state().isEmpty() ? null : v.state());
      ProcessFailure failure = o.failure().map(f -> keepAttemptMessage(f, was)).orElse(null);
      s.setPhase(processPhase(spec, plan, o, was == null ? null : was.getPhase(), v.crashLooping(), failure != null,
          terminating));
      if (v.crashLooping()) {
        // the bookkeeping keeps maxRestarts + 1 restarts per pod, so "more than the limit" is what it knows exactly
        String crash = "process " + spec.getName() + " restarted more than " + policy.maxRestarts()
            + (policy.maxRestarts() == 1 ? " time" : " times") + " within " + text(policy.window()) + " in pod "
            + v.pod() + (v.restartsInWindow() > policy.maxRestarts() ? "" : " and is not Ready again yet")
            + (s.getLastTermination() == null ? "" : "; last termination: " + s.getLastTermination());
        // the kind says more than "crash loop" when it is known (an OOM kill, a missing Secret)
        failures.add(new ProcessFailure(failure != null ? failure.reason() : ProcessFailure.CRASH_LOOP, crash, false));
        s.setReason(failures.get(failures.size() - 1).reason());
        s.setMessage(failure != null ? failure.message() : s.getLastTermination());
      } else if (failure != null) {
        failures.add(new ProcessFailure(failure.reason(), "process " + spec.getName() + ": " + failure.message(), false));
        s.setReason(failure.reason());
        s.setMessage(failure.message());
      } else if (UNAVAILABLE.equals(s.getPhase())) {
        s.setReason(ProcessFailure.UNAVAILABLE);
        // a pod down between crashes, below the crash-loop limit: its last termination is the reason a user wants
        boolean restarting = s.getLastTermination() != null && s.getRestarts() != null && s.getRestarts() > 0;
        s.setMessage(o.availableReplicas() + " of " + o.desiredReplicas() + " replicas available"
            + (restarting ? "; restarting (" + s.getRestarts() + (s.getRestarts() == 1 ? " restart" : " restarts")
                + "), last termination: " + s.getLastTermination() : ""));
        String message = "process " + spec.getName() + " (order " + spec.effectiveOrder() + ") is unavailable: "
            + s.getMessage();
        failures.add(new ProcessFailure(ProcessFailure.UNAVAILABLE, message, false));
        unavailable.add(message);
      }
      String phase = s.getPhase();
      if (WAITING.equals(phase)) pending.add(spec.getName());
      if (Set.of("Starting", "Updating", "Stopping").contains(phase) // a failing rollout is still a rollout
          || (Set.of(FAILING, CRASH_LOOP).contains(phase) && !(o.state().current() && o.state().rolledOut()))) {
        rolling.add(spec.getName());
      }
      if (Sequencer.isStopped(spec)) {
        stopped++;
      } else {
        readyPods += s.getReady();
        desiredPods += s.getDesired();
        running++;
        if (RUNNING.equals(phase)) readyProcesses++;
        else notRunning.add(spec.getName() + " (" + phase + ")");
      }
      processes.add(s);
    }

    boolean allReady = readyProcesses == running;
    boolean progressing = !rolling.isEmpty() || !pending.isEmpty();
    Map<String, String> phases = processes.stream()
        .collect(Collectors.toMap(ProcessStatus::getName, ProcessStatus::getPhase));
    List<String> lostBlockers = plan.blockedBy().stream().filter(n -> isUnavailable(n, phases, observed)).toList();
    boolean waitsForUnavailable = !lostBlockers.isEmpty() && lostBlockers.size() == plan.blockedBy().size();
    String waitingText = pending.isEmpty() ? "" : "; waiting: " + String.join(", ", pending);
    String progressMessage = !progressing ? "all processes are current and rolled out"
        : plan.blockingOrder().isPresent()
            ? "order " + plan.blockingOrder().getAsInt() + " (" + String.join(", ", plan.blockedBy()) + ") is "
                + (waitsForUnavailable ? "unavailable" : "not ready yet") + waitingText
            : "rolling out: " + String.join(", ", rolling);
    String degradedMessage = notApplied != null ? notApplied.message()
        : failures.stream().map(ProcessFailure::message).collect(Collectors.joining("; "));
    boolean degraded = notApplied != null || !failures.isEmpty();
    String readyMessage = allReady
        ? readyProcesses + "/" + running + " processes ready" + (stopped == 0 ? "" : ", " + stopped + " stopped (scale 0)")
        : !unavailable.isEmpty() ? String.join("; ", unavailable)
            + (pending.isEmpty() ? "" : "; changes of higher orders wait for it: " + String.join(", ", pending))
        : progressing ? progressMessage
        : "not ready: " + String.join(", ", notRunning);

    String nowText = now.toString();
    List<Condition> prev = previous == null ? null : previous.getConditions();
    List<Condition> conditions = List.of(
        Conditions.of(prev, Conditions.READY, allReady && !terminating,
            terminating ? "Terminating" : allReady ? "AllProcessesReady"
                : !unavailable.isEmpty() ? "ProcessUnavailable" : "ProcessesNotReady",
            readyMessage, generation, nowText),
        Conditions.of(prev, Conditions.PROGRESSING, progressing && !terminating,
            terminating ? "Terminating" : !progressing ? "RolloutComplete"
                : waitsForUnavailable && rolling.isEmpty() ? "WaitingForUnavailableOrder" : "RollingOutInOrder",
            progressMessage, generation, nowText),
        Conditions.of(prev, Conditions.DEGRADED, degraded,
            notApplied != null ? notApplied.reason() : degraded ? failures.get(0).reason() : "AsExpected",
            degraded ? degradedMessage : "no process is failing", generation, nowText));

    ProcessGroupStatus status = new ProcessGroupStatus();
    status.setObservedGeneration(generation);
    status.setProcesses(processes);
    status.setServices(ServiceStatuses.of(pg.getSpec().getServices(), processes));
    status.setConditions(conditions);
    status.setReady(readyPods + "/" + desiredPods);
    status.setProcessesReady(readyProcesses + "/" + running);
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
      default -> progress(progressing, progressMessage, readyMessage);
    });
    return status;
  }

  private static String progress(boolean progressing, String progressMessage, String readyMessage) {
    return progressing ? progressMessage : readyMessage;
  }

  private static boolean isUnavailable(String name, Map<String, String> phases, Map<String, ProcessObservation> o) {
    String phase = phases.get(name);
    return UNAVAILABLE.equals(phase)
        || (Set.of(FAILING, CRASH_LOOP).contains(phase) && o.get(name).state().lostAvailability());
  }

  private static String text(Duration d) {
    return d.toString().substring(2).toLowerCase();
  }

  /** The first retry of a refused apply; later ones wait as long as the refusal has lasted, up to the max. */
  public static final Duration APPLY_RETRY_MIN = Duration.ofSeconds(2);
  public static final Duration APPLY_RETRY_MAX = Duration.ofSeconds(60);

  /**
   * How long until this status needs computing again although nothing in the cluster changes:
   * <ul>
   *   <li>a crash loop that ends when its restarts leave {@code spec.restart.window} (see
   *       {@link CrashLoopPolicy#reviewAt});
   *   <li>an apply the API server refused ({@link NotApplied#APPLY_FAILED}: it was down, a quota, a webhook): the
   *       reconcile that wrote this status succeeded, so no retry follows by itself, and the status write is no event
   *       that wakes the group (only spec and metadata changes do). Retried after as long as the refusal has lasted
   *       (the Degraded condition's lastTransitionTime), between {@link #APPLY_RETRY_MIN} and {@link #APPLY_RETRY_MAX}:
   *       a brief outage heals in seconds, a lasting refusal costs one try a minute.
   * </ul>
   * Empty when every change of the status comes with an event. For the reconciler's {@code rescheduleAfter}.
   */
  public static Optional<Duration> reviewAfter(ProcessGroup pg, ProcessGroupStatus status, Instant now) {
    CrashLoopPolicy policy = new CrashLoopPolicy(pg.getSpec().getRestart());
    Optional<Duration> crashLoopEnds = status.getProcesses().stream().map(p -> policy.reviewAt(p.getPodRestarts()))
        .flatMap(Optional::stream).min(Comparator.naturalOrder())
        .map(t -> t.isAfter(now) ? Duration.between(now, t) : Duration.ZERO);
    return Stream.of(crashLoopEnds, applyRetry(status, now)).flatMap(Optional::stream).min(Comparator.naturalOrder());
  }

  static Optional<Duration> applyRetry(ProcessGroupStatus status, Instant now) {
    return status.getConditions().stream()
        .filter(c -> Conditions.DEGRADED.equals(c.getType()) && "True".equals(c.getStatus())
            && NotApplied.APPLY_FAILED.equals(c.getReason()))
        .findFirst().map(c -> {
          Duration failing = c.getLastTransitionTime() == null ? Duration.ZERO
              : Duration.between(Instant.parse(c.getLastTransitionTime()), now);
          return failing.compareTo(APPLY_RETRY_MIN) < 0 ? APPLY_RETRY_MIN
              : failing.compareTo(APPLY_RETRY_MAX) > 0 ? APPLY_RETRY_MAX : failing;
        });
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

  /**
   * One process's phase. Held processes that are current keep their own phase (they keep running); only a change
   * that waits for a lower order makes a process Waiting.
   *
   * @param before the process's phase in the previous status (null: none)
   */
  static String processPhase(ProcessSpec spec, Plan plan, ProcessObservation o, String before, boolean crashLoop,
      boolean failing, boolean terminating) {
    String name = spec.getName();
    ObservedProcess st = o.state();
    boolean waits = plan.waiting().contains(name)
        || (plan.held().contains(name) && (!st.current() || st.rescale()));
    if (terminating) return "Stopping";
    if (Sequencer.isStopped(spec) && !waits) return o.pods().isEmpty() ? STOPPED : "Stopping";
    if (crashLoop) return CRASH_LOOP;
    if (failing) return FAILING;
    if (waits) return WAITING;
    if (!st.exists()) return "Starting";
    if (st.currentAndReady()) return RUNNING;
    // a scale change the Deployment controller has not seen yet: its status is the last word until it has
    if (st.current() && st.stale() && KEPT_WHILE_STALE.contains(before)) return before;
    if (st.lostAvailability() && HAS_RUN.contains(before)) return UNAVAILABLE;
    if (!st.current() || o.readyReplicas() > 0) return "Updating";
    return "Starting";
  }

  /** Equal for the purpose of "is a status write needed". */
  public static boolean same(ProcessGroupStatus a, ProcessGroupStatus b) {
    return Objects.equals(a, b);
  }
}
