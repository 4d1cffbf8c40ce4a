package dev.procgroup.sidecar;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The app's process figures, read from /proc at scrape time. The pod runs with {@code shareProcessNamespace:
 * true}, so the sidecar sees the app: every process except PID 1 (the pause container) and the sidecar itself.
 * Tests and benchmarks pin one pid (and its descendants) with PROCGROUP_APP_PID.
 */
final class AppProcessMetrics {

  private final long pinnedPid;
  private final boolean enabled;
  private final long selfPid = ProcessHandle.current().pid();
  /**
   * The counters of app processes seen before that have exited since. The counters sum over live processes, and
   * short-lived ones come and go in every pod (an exec probe, a kubectl exec, a worker): without this their share
   * would leave the sum with them, the counter would go down, and Prometheus' rate() (and kubectl pg) would read
   * a reset. What an exited process used after the last scrape that saw it is not known, so it is not counted.
   */
  private long exitedUserTicks, exitedSystemTicks;
  private long exitedVoluntary, exitedInvoluntary;
  private Map<Long, ProcStats> lastSeen = new HashMap<>();

  AppProcessMetrics(SidecarConfig config) {
    this.pinnedPid = config.appPid;
    this.enabled = switch (config.appMetrics) {
      case "on" -> true;
      case "off" -> false;
      default -> config.appPid > 0 || ProcStats.comm(1).equals("pause");
    };
  }

  boolean enabled() {
    return enabled;
  }

  List<ProcStats> appProcesses() {
    List<ProcStats> all = new ArrayList<>();
    for (long pid : ProcStats.allPids()) {
      if (pid == selfPid) continue;
      ProcStats s = ProcStats.read(pid);
      if (s != null) all.add(s);
    }
    if (pinnedPid <= 0) {
      all.removeIf(s -> s.pid() == 1 || s.ppid() == selfPid);
      return all;
    }
    // The pinned process and its descendants (e.g. cluster workers).
    Map<Long, List<ProcStats>> children = new HashMap<>();
    ProcStats root = null;
    for (ProcStats s : all) {
      children.computeIfAbsent(s.ppid(), k -> new ArrayList<>()).add(s);
      if (s.pid() == pinnedPid) root = s;
    }
    List<ProcStats> out = new ArrayList<>();
    if (root == null) return out;
    Set<Long> seen = new HashSet<>();
    List<ProcStats> queue = new ArrayList<>(List.of(root));
    while (!queue.isEmpty()) {
      ProcStats s = queue.remove(queue.size() - 1);
      if (!seen.add(s.pid())) continue;
      out.add(s);
      queue.addAll(children.getOrDefault(s.pid(), List.of()));
    }
    return out;
  }

  /** Adds the counters of the processes seen last time and gone now (or whose pid now names a newer process). */
  private void accountExited(List<ProcStats> procs) {
    Map<Long, ProcStats> now = new HashMap<>();
    for (ProcStats s : procs) now.put(s.pid(), s);
    for (ProcStats before : lastSeen.values()) {
      ProcStats same = now.get(before.pid());
      if (same != null && same.startTimeSeconds() == before.startTimeSeconds()) continue;
      exitedUserTicks += before.userTicks();
      exitedSystemTicks += before.systemTicks();
      exitedVoluntary += before.voluntaryCtxSwitches();
      exitedInvoluntary += before.involuntaryCtxSwitches();
    }
    lastSeen = now;
  }

  synchronized void write(StringBuilder sb) {
    if (!enabled) return;
    List<ProcStats> procs = appProcesses();
    accountExited(procs);
    // summed in clock ticks, exact: a sum of doubles in another order can come out a rounding error lower (1.52, then
    // 1.5199999999999998), which a counter must never be
    long userTicks = exitedUserTicks, systemTicks = exitedSystemTicks;
    double start = Double.MAX_VALUE;
    long rss = 0, vsz = 0, threads = 0, fds = 0, maxFds = 0, vol = exitedVoluntary, invol = exitedInvoluntary;
    boolean fdsReadable = true;
    for (ProcStats s : procs) {
      userTicks += s.userTicks();
      systemTicks += s.systemTicks();
      start = Math.min(start, s.startTimeSeconds());
      rss += s.rssBytes();
      vsz += s.virtualBytes();
      threads += s.threads();
      if (s.openFds() < 0) fdsReadable = false; else fds += s.openFds();
      maxFds = Math.max(maxFds, s.maxFds());
      vol += s.voluntaryCtxSwitches();
      invol += s.involuntaryCtxSwitches();
    }
    double user = ProcStats.seconds(userTicks), system = ProcStats.seconds(systemTicks);
    double now = System.currentTimeMillis() / 1000.0;
    gauge(sb, "procgroup_app_up", "1 when at least one app process is running in the pod.", procs.isEmpty() ? 0 : 1);
    gauge(sb, "procgroup_app_processes", "App processes found in the shared PID namespace.", procs.size());
    sb.append("# HELP procgroup_app_cpu_seconds_total CPU time of the app processes, those that have exited included.\n")
        .append("# TYPE procgroup_app_cpu_seconds_total counter\n")
        .append("procgroup_app_cpu_seconds_total{mode=\"user\"} ").append(user).append('\n')
        .append("procgroup_app_cpu_seconds_total{mode=\"system\"} ").append(system).append('\n');
    gauge(sb, "procgroup_app_resident_memory_bytes", "Resident memory of the app processes.", rss);
    gauge(sb, "procgroup_app_virtual_memory_bytes", "Virtual memory of the app processes.", vsz);
    gauge(sb, "procgroup_app_threads", "Threads of the app processes.", threads);
    // /proc/<pid>/fd needs ptrace access: not across UIDs (the pod runs the sidecar as its own UID, so that the app
    // cannot read the sidecar's /proc entries either). Absent rather than a misleading 0.
    if (fdsReadable) gauge(sb, "procgroup_app_open_fds", "Open file descriptors of the app processes.", fds);
    gauge(sb, "procgroup_app_max_fds", "Open file descriptor limit of the app process.", maxFds);
    if (!procs.isEmpty()) {
      gauge(sb, "procgroup_app_start_time_seconds", "Start time of the oldest app process, Unix seconds.", start);
      gauge(sb, "procgroup_app_uptime_seconds", "Seconds since the oldest app process started.", Math.max(0, now - start));
    }
    sb.append("# HELP procgroup_app_context_switches_total Context switches of the app processes, those that have exited included.\n")
        .append("# TYPE procgroup_app_context_switches_total counter\n")
        .append("procgroup_app_context_switches_total{kind=\"voluntary\"} ").append(vol).append('\n')
        .append("procgroup_app_context_switches_total{kind=\"involuntary\"} ").append(invol).append('\n');
  }

  static void gauge(StringBuilder sb, String name, String help, double value) {
    sb.append("# HELP ").append(name).append(' ').append(help).append('\n')
        .append("# TYPE ").append(name).append(" gauge\n").append(name).append(' ');
    Prom.number(sb, value);
    sb.append('\n');
  }
}
