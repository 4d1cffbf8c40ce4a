package dev.procgroup.sidecar;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Vertx;
import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The pod's UID split on this machine's kernel, with real processes: the app ({@code sleep}, UID 10001) and the
 * sidecar (the built jar, UID 10002), both started through {@code setpriv} as the kubelet would run them (no
 * capabilities, no shared groups). The app cannot read the sidecar's {@code /proc/<pid>/environ} nor a file through
 * {@code /proc/<pid>/root}, while the same reads as root succeed (so the test can fail); the sidecar still reports the
 * app's CPU, memory and threads from {@code /proc/<pid>/stat|status}, and leaves out the open fds it cannot read.
 * Needs root and util-linux's setpriv (as {@code make test} has); it fails, not skips, without them.
 */
class CrossUidIT {

  static final long APP_UID = 10001, SIDECAR_UID = 10002;
  static final String MARKER = "marker-" + System.nanoTime();
  static Path dir;
  static Path tokenFile;
  static Process app;
  static Process sidecar;
  static Path sidecarLog;
  static int metricsPort;
  static Vertx vertx = Vertx.vertx();
  static Http http = new Http(vertx);

  @BeforeAll
  static void start() throws Exception {
    assertThat(new com.sun.security.auth.module.UnixSystem().getUid()).as("CrossUidIT runs as root").isZero();
    assertThat(new File("/usr/bin/setpriv").canExecute()).as("setpriv (util-linux) is required").isTrue();
    File jar = new File("target/procgroup-sidecar.jar");
    assertThat(jar).as("the packaged sidecar (mvn verify packages it first)").exists();

    dir = Files.createTempDirectory("cross-uid-");
    dir.toFile().setReadable(true, false);
    dir.toFile().setExecutable(true, false);
    tokenFile = dir.resolve("token");
    Files.writeString(tokenFile, "token-" + MARKER);
    tokenFile.toFile().setReadable(true, false); // world-readable, as Kubernetes leaves it (DesiredDeployment)

    Path sidecarTmp = Files.createDirectory(dir.resolve("sidecar-tmp")); // its /tmp emptyDir
    run(-1, "chown", SIDECAR_UID + ":" + SIDECAR_UID, sidecarTmp.toString());
    app = new ProcessBuilder(asUser(APP_UID, "sleep", "300")).start();
    sidecarLog = dir.resolve("sidecar.log");
    String java = ProcessHandle.current().info().command().orElse("java");
    ProcessBuilder pb = new ProcessBuilder(asUser(SIDECAR_UID, java, "-XX:+UseSerialGC", "-Xmx48m",
        "-Djava.io.tmpdir=" + sidecarTmp, "-jar", jar.getAbsolutePath()))
        .redirectErrorStream(true).redirectOutput(sidecarLog.toFile());
    Map<String, String> env = pb.environment();
    env.put("PROCGROUP_GROUP", "cross-uid");
    env.put("PROCGROUP_PROCESS", "web");
    env.put("PROCGROUP_POD_NAME", "x");
    env.put("PROCGROUP_HUB_TOKEN_FILE", tokenFile.toString());
    env.put("PROCGROUP_STATIC_PEERS", "");
    env.put("PROCGROUP_HUB_PORT", "0");
    env.put("PROCGROUP_PEER_PORT", "0");
    env.put("PROCGROUP_PEER_HOST", "127.0.0.1");
    env.put("PROCGROUP_METRICS_PORT", "0");
    env.put("PROCGROUP_METRICS_HOST", "127.0.0.1");
    env.put("PROCGROUP_APP_PID", Long.toString(app.pid()));
    env.put("PROCGROUP_APP_METRICS", "on");
    env.put("PROCGROUP_TEST_MARKER", MARKER); // stands for anything in the sidecar's environment
    sidecar = pb.start();
    long deadline = System.nanoTime() + 60_000_000_000L;
    Pattern ready = Pattern.compile("READY hub=\\d+ peer=\\d+ metrics=(\\d+)");
    while (metricsPort == 0) {
      String log = Files.exists(sidecarLog) ? Files.readString(sidecarLog) : "";
      Matcher m = ready.matcher(log);
      if (m.find()) {
        metricsPort = Integer.parseInt(m.group(1));
      } else {
        assertThat(sidecar.isAlive()).as("sidecar running: %s", log).isTrue();
        assertThat(System.nanoTime()).as("sidecar ready within 60 s: %s", log).isLessThan(deadline);
        Thread.sleep(100); // polling a log file for a line: no event to wait on
      }
    }
  }

  @AfterAll
  static void stop() throws Exception {
    if (sidecar != null) {
      sidecar.destroy();
      if (!sidecar.waitFor(10, TimeUnit.SECONDS)) sidecar.destroyForcibly();
    }
    if (app != null) app.destroyForcibly();
    Await.of(vertx.close());
  }

  static List<String> asUser(long uid, String... command) {
    List<String> c = new ArrayList<>(List.of("/usr/bin/setpriv", "--reuid=" + uid, "--regid=" + uid, "--clear-groups",
        "--inh-caps=-all", "--bounding-set=-all", "--no-new-privs"));
    c.addAll(List.of(command));
    return c;
  }

  /** Runs a command (as a user, or as root with uid < 0) with a deadline; exit code and output. */
  static String[] run(long uid, String... command) throws Exception {
    List<String> c = uid < 0 ? List.of(command) : asUser(uid, command);
    Path out = Files.createTempFile("cross-uid-run-", ".out");
    out.toFile().deleteOnExit();
    Process p = new ProcessBuilder(c).redirectErrorStream(true).redirectOutput(out.toFile()).start();
    if (!p.waitFor(20, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      throw new AssertionError("no end within 20 s: " + c);
    }
    return new String[] {Integer.toString(p.exitValue()), Files.readString(out, StandardCharsets.ISO_8859_1)};
  }

  @Test
  void theAppCannotReadTheSidecarsEnvironmentNorItsFilesThroughProc() throws Exception {
    long pid = sidecar.pid(); // setpriv execs java: the same process
    String environ = "/proc/" + pid + "/environ";
    String viaRoot = "/proc/" + pid + "/root" + tokenFile;

    String[] asRootEnv = run(-1, "cat", environ);
    assertThat(asRootEnv[1]).as("control: root reads the environment").contains(MARKER);
    String[] asRootFile = run(-1, "cat", viaRoot);
    assertThat(asRootFile[1]).as("control: root reads through /proc/<pid>/root").contains("token-" + MARKER);

    String[] appEnv = run(APP_UID, "cat", environ);
    assertThat(appEnv[0]).isNotEqualTo("0");
    assertThat(appEnv[1]).contains("Permission denied").doesNotContain(MARKER);
    String[] appFile = run(APP_UID, "cat", viaRoot);
    assertThat(appFile[0]).isNotEqualTo("0");
    assertThat(appFile[1]).contains("Permission denied").doesNotContain(MARKER);
    String[] appMem = run(APP_UID, "head", "-c", "1", "/proc/" + pid + "/mem");
    assertThat(appMem[0]).isNotEqualTo("0");
  }

  @Test
  void theSidecarStillReportsTheAppsCpuMemoryAndThreadsButNotItsOpenFds() {
    String text = http.get(metricsPort, "/metrics").body();
    assertThat(AbstractHubIT.metricValue(text, "procgroup_app_up")).isEqualTo(1);
    assertThat(AbstractHubIT.metricValue(text, "procgroup_app_processes")).isEqualTo(1);
    assertThat(AbstractHubIT.metricValue(text, "procgroup_app_resident_memory_bytes")).isGreaterThan(0);
    assertThat(AbstractHubIT.metricValue(text, "procgroup_app_threads")).isGreaterThanOrEqualTo(1);
    assertThat(AbstractHubIT.metricValue(text, "procgroup_app_max_fds")).isGreaterThan(0);
    assertThat(AbstractHubIT.metricValue(text, "procgroup_app_start_time_seconds")).isGreaterThan(0);
    assertThat(text).contains("procgroup_app_cpu_seconds_total{mode=\"user\"}",
        "procgroup_app_context_switches_total{kind=\"voluntary\"}");
    assertThat(text).as("open fds need ptrace access across UIDs: left out")
        .doesNotContain("procgroup_app_open_fds");
    assertThat(AbstractHubIT.metricValue(text, "process_open_fds")).as("its own fds it reads").isGreaterThan(3);
  }
}
