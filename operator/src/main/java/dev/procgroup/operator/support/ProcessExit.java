package dev.procgroup.operator.support;

import java.time.Duration;

/**
 * Ends the JVM, whatever else still runs. {@code System.exit} runs the shutdown hooks (which stop JOSDK and the
 * HTTP server); should one of them hang, or should exit be called again from inside a hook (where it would block
 * forever), the process is halted after a grace period instead of living on without informers.
 */
public final class ProcessExit {
  static final Duration HOOKS_GRACE = Duration.ofSeconds(10);

  private ProcessExit() {}

  public static void exit(int status) {
    Thread halt = new Thread(() -> {
      try {
        Thread.sleep(HOOKS_GRACE.toMillis());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      Runtime.getRuntime().halt(status);
    }, "halt-after-grace");
    halt.setDaemon(true);
    halt.start();
    // exit on a thread of its own: a caller that is itself a shutdown hook or holds a lock a hook needs would
    // otherwise deadlock; the daemon halt thread still ends the process
    Thread exit = new Thread(() -> System.exit(status), "exit");
    exit.start();
  }
}
