package dev.procgroup.sidecar;

import java.lang.System.Logger.Level;

/** Entry point of the sidecar image: configuration from the environment (README.md lists it). */
public final class Main {
  private Main() {}

  public static void main(String[] args) {
    SidecarConfig config;
    try {
      config = SidecarConfig.fromEnv(System.getenv());
    } catch (IllegalArgumentException e) {
      System.err.println("procgroup-sidecar: " + e.getMessage());
      System.exit(2);
      return;
    }
    Sidecar sidecar = new Sidecar(config);
    sidecar.start().onFailure(t -> {
      System.getLogger(Main.class.getName()).log(Level.ERROR, "sidecar failed to start", t);
      System.exit(1);
    }).onSuccess(s -> System.out.println("READY hub=" + s.hubPort() + " peer=" + s.peerPort()
        + " metrics=" + s.metricsPort()));
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      try {
        sidecar.stop().toCompletionStage().toCompletableFuture().get(5, java.util.concurrent.TimeUnit.SECONDS);
      } catch (Exception ignored) {
        // exiting anyway
      }
    }, "shutdown"));
  }
}
