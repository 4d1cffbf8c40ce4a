package dev.procgroup.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.Pod;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.stream.Stream;

/**
 * The local cluster's daemons and containers as the chaos suite breaks them, the way e2e/cluster/fault-tests.sh
 * does: a daemon is SIGKILLed by the pid its supervisor recorded, and an outage is held open with
 * {@code /run/procgroup-cluster/NAME.hold} (the supervisor starts nothing while it exists); a container is
 * SIGKILLed through the cluster's containerd. Needs root, as the cluster does.
 */
final class ControlPlane {
  static final Path RUN = Path.of("/run/procgroup-cluster");
  static final Path CA = Path.of("/var/lib/procgroup-cluster/pki/ca.crt");
  static final String CTR_SOCK = RUN.resolve("containerd.sock").toString();
  static final Path APISERVER_HOLD = RUN.resolve("kube-apiserver.hold");

  private final LocalCluster cluster;

  ControlPlane(LocalCluster cluster) {
    this.cluster = cluster;
    assertThat(System.getProperty("user.name")).as("the chaos suite breaks the cluster's daemons: it must run as root "
        + "(as e2e/cluster/up does)").isEqualTo("root");
    assertThat(RUN.resolve("kube-apiserver.pid")).as("the local cluster's pid files (e2e/cluster/up)").isRegularFile();
    // Whatever ends the JVM short of SIGKILL releases a held outage (the test command also removes it after the
    // phase): the cluster must never be left down.
    Runtime.getRuntime().addShutdownHook(new Thread(this::releaseApiserver));
  }

  /** kube-apiserver's /readyz answers 200 (curl with a deadline, as the fault tests probe it). */
  boolean apiserverReady() {
    return cluster.run(Duration.ofSeconds(5), null, "curl", "-sf", "--max-time", "2", "--cacert", CA.toString(),
        "https://127.0.0.1:6443/readyz").exitCode() == 0;
  }

  long pidOf(String daemon) {
    try {
      return Long.parseLong(Files.readString(RUN.resolve(daemon + ".pid")).strip());
    } catch (IOException e) {
      throw new AssertionError("no pid file for " + daemon, e);
    }
  }

  /** Holds kube-apiserver down: its supervisor will not restart it until {@link #releaseApiserver()}. */
  long holdAndKillApiserver() {
    try {
      Files.writeString(APISERVER_HOLD, "held by ProcgroupChaos\n");
    } catch (IOException e) {
      throw new AssertionError("cannot create " + APISERVER_HOLD, e);
    }
    long pid = pidOf("kube-apiserver");
    ProcessHandle p = ProcessHandle.of(pid).orElseThrow(() -> new AssertionError("kube-apiserver (pid " + pid
        + ") is not running before the fault"));
    assertThat(p.destroyForcibly()).as("SIGKILL kube-apiserver %d", pid).isTrue();
    return pid;
  }

  void releaseApiserver() {
    try {
      Files.deleteIfExists(APISERVER_HOLD);
    } catch (IOException e) {
      throw new AssertionError("cannot remove " + APISERVER_HOLD + ": the apiserver stays down", e);
    }
  }

  /** SIGKILLs one container of a pod (an app container or a native sidecar) through containerd. */
  void killContainer(Pod pod, String container) {
    ContainerStatus status = containerStatus(pod, container);
    String id = status.getContainerID().replaceFirst("^containerd://", "");
    LocalCluster.Result r = cluster.run(Duration.ofSeconds(30), null, "ctr", "--address", CTR_SOCK, "--namespace",
        "k8s.io", "task", "kill", "--signal", "SIGKILL", id);
    assertThat(r.exitCode()).as("ctr task kill %s (%s of %s): %s", id, container, pod.getMetadata().getName(), r.out())
        .isZero();
  }

  /** The status of a container of the pod, app or init (native sidecars report there). */
  static ContainerStatus containerStatus(Pod pod, String container) {
    return Stream.concat(pod.getStatus().getContainerStatuses().stream(),
            pod.getStatus().getInitContainerStatuses() == null ? Stream.empty() : pod.getStatus().getInitContainerStatuses().stream())
        .filter(c -> c.getName().equals(container)).findFirst()
        .orElseThrow(() -> new AssertionError("no container " + container + " in " + pod.getMetadata().getName()));
  }
}
