package dev.procgroup.operator;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The operator's real main, in a JVM of its own, against an API server that is not there: it must end with a
 * non-zero status instead of living on without informers (the zombie of issue 9).
 */
class StartupFailureExitsTest {
  static final Duration STARTUP_TIMEOUT = Duration.ofSeconds(3);
  /** JOSDK waits the timeout twice (the group informer, then the others together); the rest is JVM start and exit. */
  static final Duration EXIT_BOUND = Duration.ofSeconds(45);

  @Test
  void mainExitsNonZeroWhenTheApiServerIsUnreachable(@TempDir Path dir) throws Exception {
    Path kubeconfig = dir.resolve("kubeconfig");
    Files.writeString(kubeconfig, """
        apiVersion: v1
        kind: Config
        clusters: [{name: gone, cluster: {server: "https://127.0.0.1:%d", insecure-skip-tls-verify: true}}]
        users: [{name: u, user: {token: x}}]
        contexts: [{name: gone, context: {cluster: gone, user: u}}]
        current-context: gone
        """.formatted(closedPort()));
    Path log = dir.resolve("operator.log");
    ProcessBuilder pb = new ProcessBuilder(List.of(
        Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-cp", testClassPath(), ProcgroupOperator.class.getName()))
        .redirectErrorStream(true).redirectOutput(log.toFile());
    pb.environment().put("KUBECONFIG", kubeconfig.toString());
    pb.environment().put("PROCGROUP_HTTP_PORT", "0");
    pb.environment().put("PROCGROUP_LOG_FORMAT", "text");
    pb.environment().put("PROCGROUP_STARTUP_TIMEOUT", STARTUP_TIMEOUT.toSeconds() + "s");
    Instant started = Instant.now();
    Process operator = pb.start();
    try {
      boolean exited = operator.waitFor(EXIT_BOUND.toSeconds(), TimeUnit.SECONDS);
      Duration took = Duration.between(started, Instant.now());
      String output = Files.readString(log);
      System.out.printf("[measure] operator exited %s after %d ms with %s%n", exited ? "" : "NOT", took.toMillis(),
          exited ? operator.exitValue() : "-");
      assertThat(exited).as("exited within %s; output:%n%s", EXIT_BOUND, output).isTrue();
      assertThat(operator.exitValue()).as(output).isEqualTo(1);
      assertThat(output).contains("start-up failed; exiting")
          .contains("informers not synced within " + STARTUP_TIMEOUT.toSeconds() + "s");
    } finally {
      operator.destroyForcibly();
    }
  }

  /** A port nothing listens on: connections are refused at once. */
  static int closedPort() throws IOException {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }

  /** Surefire hands the fork a manifest-only jar; it publishes the real class path in this property. */
  static String testClassPath() {
    return System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
  }
}
