package dev.procgroup.sidecar;

import java.lang.System.Logger;
import java.lang.System.Logger.Level;
import java.nio.file.Path;

/**
 * The group's bearer token when peer mTLS is off: the value to send, and the check of what peers send. From a file
 * (the Secret {@code <group>-hub} as a volume) it is re-read every {@link #REFRESH_MS}: when the Secret changes (the
 * kubelet updates the volume within about a minute, in each pod at its own moment), the new token is sent at once and
 * the previous one is still accepted for {@link #GRACE_MS}; a peer that has not seen the change yet answers the new
 * one with 401, and PeerClient then retries with the previous token. So the group's sidecars move over without
 * refusing each other. Event-loop confined.
 */
final class PeerToken {

  private static final Logger LOG = System.getLogger(PeerToken.class.getName());
  static final long REFRESH_MS = 10_000;
  /** The refresh period (tests shorten it with the system property {@code procgroup.peer-token-refresh-ms}). */
  private final long refreshMs = Long.getLong("procgroup.peer-token-refresh-ms", REFRESH_MS);
  static final long GRACE_MS = 180_000;

  private final Path file;
  private final Timers timers;
  private String current;
  private TokenCheck currentCheck;
  private TokenCheck previousCheck;
  private String previous;
  private long previousUntilMs;
  private long timer = -1;
  private boolean stopped;

  /** @param file null: a fixed token (PROCGROUP_HUB_TOKEN, tests and benchmarks) */
  PeerToken(String initial, Path file, Timers timers) {
    this.current = initial;
    this.currentCheck = new TokenCheck(initial);
    this.file = file;
    this.timers = timers;
  }

  String current() {
    return current;
  }

  /** The token before the last change, while its grace lasts; else null. */
  String previous(long nowMs) {
    return previous != null && nowMs < previousUntilMs ? previous : null;
  }

  boolean allows(String authorization, long nowMs) {
    if (currentCheck.allows(authorization)) return true;
    return previousCheck != null && nowMs < previousUntilMs && previousCheck.allows(authorization);
  }

  /** Reads the file again; true when the token changed. */
  boolean refresh(long nowMs) {
    if (file == null) return false;
    String next = SidecarConfig.readFile(file).orElse("");
    if (next.isBlank() || next.equals(current)) return false;
    previousCheck = currentCheck;
    previous = current;
    previousUntilMs = nowMs + GRACE_MS;
    current = next;
    currentCheck = new TokenCheck(next);
    LOG.log(Level.INFO, "peer token in {0} changed: sending the new one, accepting the previous one for {1} s", file,
        GRACE_MS / 1000);
    return true;
  }

  void start() {
    if (file == null || stopped) return;
    timer = timers.set(refreshMs, () -> {
      refresh(System.currentTimeMillis());
      start();
    });
  }

  void stop() {
    stopped = true;
    if (timer >= 0) timers.cancel(timer);
  }
}
