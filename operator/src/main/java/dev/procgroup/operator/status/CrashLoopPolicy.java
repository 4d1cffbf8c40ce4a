package dev.procgroup.operator.status;

import dev.procgroup.api.v1alpha1.ProcessStatus;
import dev.procgroup.api.v1alpha1.RestartPolicySpec;
import java.time.Duration;
import java.time.Instant;

/**
 * PM2's max_restarts within a window, over Kubernetes' cumulative restart counts: the status keeps the window's
 * start and the count at that start. A process in a crash loop stays so until it is Ready again, so a loop does
 * not flap in and out of Degraded each time a window ends.
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

  /** The window bookkeeping and verdict for one process. */
  public record Verdict(boolean crashLooping, int restartsInWindow, Instant windowStart, int baseline) {}

  public Verdict judge(ProcessStatus previous, int restarts, boolean ready, Instant now) {
    Instant start = now;
    int baseline = restarts;
    if (previous != null && previous.getRestartWindowStart() != null && previous.getRestartsAtWindowStart() != null) {
      start = Instant.parse(previous.getRestartWindowStart());
      baseline = Math.min(previous.getRestartsAtWindowStart(), restarts); // pods replaced: counts went down
    }
    boolean wasLooping = previous != null && "CrashLoop".equals(previous.getPhase());
    boolean stillLooping = wasLooping && !ready;
    if (!stillLooping && now.isAfter(start.plus(window))) { // a window ended: count afresh from now
      start = now;
      baseline = restarts;
    }
    int inWindow = restarts - baseline;
    boolean looping = inWindow > maxRestarts || stillLooping;
    return new Verdict(looping, inWindow, start, baseline);
  }
}
