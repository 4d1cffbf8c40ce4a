package dev.procgroup.operator.status;

import dev.procgroup.api.v1alpha1.PodRestarts;
import dev.procgroup.api.v1alpha1.RestartPolicySpec;
import io.fabric8.kubernetes.api.model.ContainerStateTerminated;
import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.Pod;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Function;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * PM2's max_restarts within a window, per pod and sliding: a pod is in a crash loop when its app container
 * restarted more than {@code maxRestarts} times within the last {@code window}, and stays so until that container
 * is Ready again (with the kubelet's back-off growing to 5 minutes, a loop would otherwise drop below the limit and
 * flap). Restarts of different pods are never added up: three replicas restarting once each are no crash loop.
 *
 * <p>Kubernetes only counts restarts cumulatively, so the status keeps per pod ({@link PodRestarts}) the count
 * already seen and the times of its latest restarts: at most {@code maxRestarts + 1} times (all a verdict needs),
 * only those within the window, only for live pods that have restarted. A new restart is dated by the container's
 * last termination ({@code finishedAt}); when several happened since the last look (the operator was down), they are
 * spread evenly between the previous known restart (or the pod's start) and that last one.
 */
public final class CrashLoopPolicy {
  private final int maxRestarts;
  private final Duration window;

  public CrashLoopPolicy(RestartPolicySpec spec) {
    this.maxRestarts = spec == null || spec.getMaxRestarts() == null
        ? RestartPolicySpec.DEFAULT_MAX_RESTARTS : spec.getMaxRestarts();
    this.window = windowOf(spec);
  }

  /** The window, or the default when unreadable: SpecProblems refuses such a spec; the status is still computed. */
  private static Duration windowOf(RestartPolicySpec spec) {
    Duration fallback = Durations.parse(RestartPolicySpec.DEFAULT_WINDOW, null);
    try {
      return Durations.parse(spec == null ? null : spec.getWindow(), fallback);
    } catch (IllegalArgumentException e) {
      return fallback;
    }
  }

  public int maxRestarts() { return maxRestarts; }
  public Duration window() { return window; }

  /**
   * The verdict for one process.
   *
   * @param crashLooping     some pod is in a crash loop
   * @param pod              the pod the verdict names: the crash-looping one with the most restarts in the window
   *                         (null when none loops)
   * @param restartsInWindow that pod's restarts within the window
   * @param state            the bookkeeping to keep in the status, sorted by pod name
   */
  public record Verdict(boolean crashLooping, String pod, int restartsInWindow, List<PodRestarts> state) {}

  /**
   * @param previous what the previous status kept (null or empty: nothing counted yet)
   * @param pods     the process's pods; terminating ones are left out (their replacement counts afresh)
   * @param app      the process's container (the hub sidecar's restarts are not the app's)
   */
  public Verdict judge(List<PodRestarts> previous, List<Pod> pods, String app, Instant now) {
    Map<String, PodRestarts> before = previous == null ? Map.of() : previous.stream().filter(p -> p.getPod() != null)
        .collect(Collectors.toMap(PodRestarts::getPod, Function.identity(), (a, b) -> a));
    Instant horizon = now.minus(window);
    List<PodRestarts> state = new ArrayList<>();
    String worst = null;
    int worstCount = -1;
    for (Pod pod : pods.stream().filter(p -> p.getMetadata() == null || p.getMetadata().getDeletionTimestamp() == null)
        .sorted(Comparator.comparing(CrashLoopPolicy::name)).toList()) {
      Optional<ContainerStatus> container = appStatus(pod, app);
      int restarts = container.map(c -> c.getRestartCount() == null ? 0 : c.getRestartCount()).orElse(0);
      boolean containerReady = container.map(c -> Boolean.TRUE.equals(c.getReady())).orElse(false);
      PodRestarts was = before.get(name(pod));
      List<Instant> times = new ArrayList<>(was == null ? List.of() : parse(was.getRecent()));
      int counted = was == null || was.getRestarts() == null ? 0 : Math.min(was.getRestarts(), restarts);
      int fresh = restarts - counted;
      if (fresh > 0) {
        Instant lower = times.isEmpty() ? startOf(pod) : times.get(times.size() - 1);
        Instant last = clamp(container.flatMap(CrashLoopPolicy::lastFinished).orElse(now), lower, now);
        if (lower == null) lower = last;
        // only the newest maxRestarts + 1 can matter
        for (int i = Math.max(1, fresh - maxRestarts); i <= fresh; i++) {
          times.add(lower.plusMillis(Duration.between(lower, last).toMillis() * i / fresh)
              .truncatedTo(ChronoUnit.SECONDS));
        }
      }
      times.removeIf(t -> !t.isAfter(horizon));
      if (times.size() > maxRestarts + 1) {
        times = new ArrayList<>(times.subList(times.size() - maxRestarts - 1, times.size()));
      }
      boolean looping = times.size() > maxRestarts
          || (was != null && Boolean.TRUE.equals(was.getCrashLoop()) && !containerReady);
      if (restarts > 0 || looping) {
        state.add(new PodRestarts(name(pod), restarts, times.stream().map(Instant::toString).toList(), looping));
      }
      if (looping && times.size() > worstCount) {
        worst = name(pod);
        worstCount = times.size();
      }
    }
    return new Verdict(worst != null, worst, Math.max(worstCount, 0), state);
  }

  /**
   * When a crash loop of this bookkeeping ends by time alone, if nothing else happens: the moment the oldest of a
   * looping pod's restarts leaves the window. No event marks that moment, so the reconciler has to come back then;
   * a loop that ends by the container being Ready again ends on the pod's own event.
   */
  public Optional<Instant> reviewAt(List<PodRestarts> state) {
    if (state == null) return Optional.empty();
    return state.stream()
        .filter(p -> Boolean.TRUE.equals(p.getCrashLoop()) && p.getRecent() != null && p.getRecent().size() > maxRestarts)
        .map(p -> parse(p.getRecent())).filter(t -> !t.isEmpty()).map(t -> t.get(0).plus(window))
        .min(Comparator.naturalOrder());
  }

  private static Optional<ContainerStatus> appStatus(Pod pod, String app) {
    if (pod.getStatus() == null || pod.getStatus().getContainerStatuses() == null) return Optional.empty();
    return pod.getStatus().getContainerStatuses().stream().filter(c -> app.equals(c.getName())).findFirst();
  }

  /** When the container last terminated: its current termination, or the one before its current run. */
  private static Optional<Instant> lastFinished(ContainerStatus c) {
    return Stream.of(c.getState() == null ? null : c.getState().getTerminated(),
            c.getLastState() == null ? null : c.getLastState().getTerminated())
        .filter(Objects::nonNull).map(ContainerStateTerminated::getFinishedAt).map(CrashLoopPolicy::instant)
        .flatMap(Optional::stream).max(Comparator.naturalOrder());
  }

  /** The earliest a restart of this pod can have happened: when it started, or else was created. */
  private static Instant startOf(Pod pod) {
    Optional<Instant> started = pod.getStatus() == null ? Optional.empty() : instant(pod.getStatus().getStartTime());
    if (started.isPresent()) return started.get();
    return pod.getMetadata() == null ? null : instant(pod.getMetadata().getCreationTimestamp()).orElse(null);
  }

  private static Instant clamp(Instant t, Instant lower, Instant upper) {
    if (t.isAfter(upper)) return upper;
    return lower != null && t.isBefore(lower) ? lower : t;
  }

  private static List<Instant> parse(List<String> times) {
    if (times == null) return List.of();
    return times.stream().map(CrashLoopPolicy::instant).flatMap(Optional::stream).sorted().toList();
  }

  private static Optional<Instant> instant(String text) {
    if (text == null || text.isBlank()) return Optional.empty();
    try {
      return Optional.of(Instant.parse(text));
    } catch (DateTimeParseException e) {
      return Optional.empty();
    }
  }

  private static String name(Pod p) {
    return p.getMetadata() == null || p.getMetadata().getName() == null ? "" : p.getMetadata().getName();
  }
}
