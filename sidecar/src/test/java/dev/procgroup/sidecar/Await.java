package dev.procgroup.sidecar;

import io.vertx.core.Future;
import java.util.concurrent.TimeUnit;

/** Blocking waits on Vert.x futures, for test threads only. */
final class Await {
  private Await() {}

  static <T> T of(Future<T> f) {
    try {
      return f.toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
    } catch (java.util.concurrent.ExecutionException e) {
      throw new AssertionError(e.getCause());
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }
}
