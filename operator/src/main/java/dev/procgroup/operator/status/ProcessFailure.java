package dev.procgroup.operator.status;

import io.fabric8.kubernetes.api.model.ContainerStateTerminated;
import io.fabric8.kubernetes.api.model.ContainerStateWaiting;
import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodCondition;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentCondition;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Stream;

/**
 * Why a process cannot run, read from its pods and Deployment the way {@code kubectl describe} would show it: a
 * pure function, so each kind is pinned by a unit test. The first kind that applies wins, in this order, from what
 * stops a pod earliest to what only shows in the Deployment: image pull, container config, unschedulable, pods not
 * created, OOM-killed, progress deadline. A crash loop is judged apart, by {@link CrashLoopPolicy}.
 *
 * @param reason  the Degraded condition's reason and the process's status.processes[].reason
 * @param message the pod's or Deployment's own message, with the kubelet's reason and where it was seen
 * @param backOff the message only says the kubelet is waiting before the next attempt ("Back-off pulling image"),
 *                so the message of the attempt itself, if already known, is the better one to keep
 */
public record ProcessFailure(String reason, String message, boolean backOff) {
  public static final String IMAGE_PULL = "ImagePullFailed";
  public static final String CONFIG_ERROR = "ConfigError";
  public static final String UNSCHEDULABLE = "Unschedulable";
  public static final String PODS_NOT_CREATED = "PodsNotCreated";
  public static final String OOM_KILLED = "OOMKilled";
  public static final String PROGRESS_DEADLINE = "ProgressDeadlineExceeded";
  public static final String CRASH_LOOP = "CrashLoop";
  /** Judged by {@link StatusCalculator}: the process ran (its template rolled out) and has no available replica now. */
  public static final String UNAVAILABLE = "Unavailable";

  static final Set<String> IMAGE_PULL_WAITING = Set.of("ErrImagePull", "ImagePullBackOff", "InvalidImageName",
      "ErrImageNeverPull", "RegistryUnavailable");
  static final Set<String> CONFIG_WAITING = Set.of("CreateContainerConfigError", "CreateContainerError",
      "RunContainerError");
  static final int MAX_MESSAGE = 300;

  /**
   * @param appContainer the process's container (the others are the hub sidecar's)
   * @param memoryLimit  the container's memory limit, named in an OOM-kill's message; null when it has none
   */
  public static Optional<ProcessFailure> of(String appContainer, Quantity memoryLimit, Deployment deployment,
      List<Pod> pods) {
    List<Pod> live = pods.stream().filter(p -> p.getMetadata() == null || p.getMetadata().getDeletionTimestamp() == null)
        .sorted(Comparator.comparing(ProcessFailure::name)).toList();
    return firstPresent(
        waiting(live, appContainer, IMAGE_PULL_WAITING, IMAGE_PULL),
        startFailure(live, appContainer),
        unschedulable(live),
        deploymentCondition(deployment, "ReplicaFailure", "True", null, PODS_NOT_CREATED),
        oomKilled(live, appContainer, memoryLimit),
        deploymentCondition(deployment, "Progressing", "False", "ProgressDeadlineExceeded", PROGRESS_DEADLINE));
  }

  @SafeVarargs
  private static Optional<ProcessFailure> firstPresent(Optional<ProcessFailure>... candidates) {
    return Stream.of(candidates).flatMap(Optional::stream).findFirst();
  }

  private static Optional<ProcessFailure> waiting(List<Pod> pods, String app, Set<String> reasons, String kind) {
    for (Pod pod : pods) {
      for (ContainerStatus c : statuses(pod)) {
        ContainerStateWaiting w = c.getState() == null ? null : c.getState().getWaiting();
        if (w != null && reasons.contains(w.getReason())) {
          return Optional.of(new ProcessFailure(kind, describe(w.getReason(), w.getMessage(), pod, c, app),
              "ImagePullBackOff".equals(w.getReason())));
        }
      }
    }
    return Optional.empty();
  }

  /** A container that cannot be created or started: a missing Secret or ConfigMap, an entry that is no program. */
  private static Optional<ProcessFailure> startFailure(List<Pod> pods, String app) {
    Optional<ProcessFailure> waiting = waiting(pods, app, CONFIG_WAITING, CONFIG_ERROR);
    if (waiting.isPresent()) return waiting;
    for (Pod pod : pods) {
      for (ContainerStatus c : statuses(pod)) {
        ContainerStateTerminated t = lastTerminated(c);
        if (t != null && "StartError".equals(t.getReason()) && !Boolean.TRUE.equals(c.getReady())) {
          return Optional.of(new ProcessFailure(CONFIG_ERROR, describe(t.getReason(), t.getMessage(), pod, c, app),
              false));
        }
      }
    }
    return Optional.empty();
  }

  private static Optional<ProcessFailure> unschedulable(List<Pod> pods) {
    for (Pod pod : pods) {
      if (pod.getStatus() == null || pod.getStatus().getConditions() == null) continue;
      for (PodCondition c : pod.getStatus().getConditions()) {
        if ("PodScheduled".equals(c.getType()) && "False".equals(c.getStatus()) && "Unschedulable".equals(c.getReason())) {
          return Optional.of(new ProcessFailure(UNSCHEDULABLE, describe(c.getReason(), c.getMessage(), pod, null, null),
              false));
        }
      }
    }
    return Optional.empty();
  }

  /** Killed for its memory and not back up yet; once Ready again the process is fine (repeats are a crash loop). */
  private static Optional<ProcessFailure> oomKilled(List<Pod> pods, String app, Quantity memoryLimit) {
    for (Pod pod : pods) {
      for (ContainerStatus c : statuses(pod)) {
        ContainerStateTerminated t = lastTerminated(c);
        if (t != null && "OOMKilled".equals(t.getReason()) && !Boolean.TRUE.equals(c.getReady())) {
          String why = app.equals(c.getName()) && memoryLimit != null
              ? "the container used more than its memory limit (" + memoryLimit + ")"
              : "the container used more memory than it may";
          return Optional.of(new ProcessFailure(OOM_KILLED, describe("OOMKilled", why + ", exit code "
              + t.getExitCode(), pod, c, app), false));
        }
      }
    }
    return Optional.empty();
  }

  private static Optional<ProcessFailure> deploymentCondition(Deployment d, String type, String status, String reason,
      String kind) {
    if (d == null || d.getStatus() == null || d.getStatus().getConditions() == null) return Optional.empty();
    Long seen = d.getStatus().getObservedGeneration();
    if (seen == null || (d.getMetadata().getGeneration() != null && seen < d.getMetadata().getGeneration())) {
      return Optional.empty(); // the conditions describe an older rollout
    }
    for (DeploymentCondition c : d.getStatus().getConditions()) {
      if (type.equals(c.getType()) && status.equals(c.getStatus()) && (reason == null || reason.equals(c.getReason()))) {
        return Optional.of(new ProcessFailure(kind, truncate(c.getReason() + ": " + c.getMessage()), false));
      }
    }
    return Optional.empty();
  }

  /** The current termination, or else the previous one (a container waiting to be restarted). */
  private static ContainerStateTerminated lastTerminated(ContainerStatus c) {
    if (c.getState() != null && c.getState().getTerminated() != null) return c.getState().getTerminated();
    return c.getLastState() == null ? null : c.getLastState().getTerminated();
  }

  /** The app's container and the hub sidecar's (an init container): a sidecar that cannot start stops the pod. */
  private static List<ContainerStatus> statuses(Pod pod) {
    if (pod.getStatus() == null) return List.of();
    return Stream.concat(
        pod.getStatus().getInitContainerStatuses() == null ? Stream.empty() : pod.getStatus().getInitContainerStatuses().stream(),
        pod.getStatus().getContainerStatuses() == null ? Stream.empty() : pod.getStatus().getContainerStatuses().stream())
        .toList();
  }

  /** "ErrImagePull: <message> (pod web-7c9f-x2x)", naming the container when it is not the process's own. */
  private static String describe(String reason, String message, Pod pod, ContainerStatus c, String app) {
    String where = "pod " + name(pod) + (c != null && !c.getName().equals(app) ? ", container " + c.getName() : "");
    String text = message == null || message.isBlank() ? reason : reason + ": " + message.strip();
    return truncate(text) + " (" + where + ")";
  }

  private static String truncate(String s) {
    return s.length() <= MAX_MESSAGE ? s : s.substring(0, MAX_MESSAGE - 3) + "...";
  }

  private static String name(Pod p) {
    return p.getMetadata() == null || p.getMetadata().getName() == null ? "" : p.getMetadata().getName();
  }
}
