package dev.procgroup.sidecar;

import io.vertx.core.Vertx;

/** One-shot timers; Vert.x in production, a hand-cranked clock in unit tests. */
public interface Timers {
  long set(long delayMs, Runnable action);

  void cancel(long id);

  static Timers of(Vertx vertx) {
    return new Timers() {
      @Override public long set(long delayMs, Runnable action) {
        return vertx.setTimer(Math.max(1, delayMs), id -> action.run());
      }

      @Override public void cancel(long id) {
        vertx.cancelTimer(id);
      }
    };
  }
}
