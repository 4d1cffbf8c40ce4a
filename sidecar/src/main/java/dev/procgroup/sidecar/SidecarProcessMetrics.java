package dev.procgroup.sidecar;

import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;

/** The sidecar's own process and JVM figures, in the conventional {@code process_*} and {@code jvm_*} names. */
final class SidecarProcessMetrics {

  static final String VERSION = "0.1.0";
  private final long pid = ProcessHandle.current().pid();
  private final long startMillis = System.currentTimeMillis();

  void write(StringBuilder sb) {
    ProcStats self = ProcStats.read(pid);
    if (self != null) {
      sb.append("# HELP process_cpu_seconds_total Total user and system CPU time of the sidecar in seconds.\n")
          .append("# TYPE process_cpu_seconds_total counter\n")
          .append("process_cpu_seconds_total ").append(ProcStats.seconds(self.userTicks() + self.systemTicks())).append('\n');
      gauge(sb, "process_resident_memory_bytes", "Resident memory of the sidecar.", self.rssBytes());
      gauge(sb, "process_virtual_memory_bytes", "Virtual memory of the sidecar.", self.virtualBytes());
      gauge(sb, "process_open_fds", "Open file descriptors of the sidecar.", self.openFds());
      gauge(sb, "process_max_fds", "File descriptor limit of the sidecar.", self.maxFds());
      gauge(sb, "process_start_time_seconds", "Start time of the sidecar process, Unix seconds.", self.startTimeSeconds());
    }
    // Heap figures from Runtime: the memory/thread/buffer-pool MXBeans would load ~1 MB of extra classes.
    Runtime rt = Runtime.getRuntime();
    header(sb, "jvm_memory_used_bytes", "Used JVM heap.", "gauge");
    sb.append("jvm_memory_used_bytes{area=\"heap\"} ").append(rt.totalMemory() - rt.freeMemory()).append('\n');
    header(sb, "jvm_memory_committed_bytes", "Committed JVM heap.", "gauge");
    sb.append("jvm_memory_committed_bytes{area=\"heap\"} ").append(rt.totalMemory()).append('\n');
    header(sb, "jvm_memory_max_bytes", "Maximum JVM heap (-Xmx).", "gauge");
    sb.append("jvm_memory_max_bytes{area=\"heap\"} ").append(rt.maxMemory()).append('\n');
    header(sb, "jvm_gc_collections_total", "Garbage collections by collector.", "counter");
    for (GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans()) {
      sb.append("jvm_gc_collections_total{gc=\"");
      Prom.escape(sb, gc.getName());
      sb.append("\"} ").append(Math.max(0, gc.getCollectionCount())).append('\n');
    }
    header(sb, "jvm_gc_collection_seconds_total", "Time spent in garbage collection by collector.", "counter");
    for (GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans()) {
      sb.append("jvm_gc_collection_seconds_total{gc=\"");
      Prom.escape(sb, gc.getName());
      sb.append("\"} ").append(Math.max(0, gc.getCollectionTime()) / 1000.0).append('\n');
    }
    if (self != null) gauge(sb, "jvm_threads_live", "Threads of the sidecar process.", self.threads());
    header(sb, "procgroup_hub_build_info", "Sidecar version and Java runtime.", "gauge");
    sb.append("procgroup_hub_build_info{version=\"").append(VERSION).append("\",java=\"");
    Prom.escape(sb, System.getProperty("java.version", ""));
    sb.append("\"} 1\n");
    gauge(sb, "procgroup_hub_uptime_seconds", "Seconds since the sidecar started.",
        (System.currentTimeMillis() - startMillis) / 1000.0);
  }

  private static void header(StringBuilder sb, String name, String help, String type) {
    sb.append("# HELP ").append(name).append(' ').append(help).append('\n')
        .append("# TYPE ").append(name).append(' ').append(type).append('\n');
  }

  private static void gauge(StringBuilder sb, String name, String help, double v) {
    AppProcessMetrics.gauge(sb, name, help, v);
  }
}
