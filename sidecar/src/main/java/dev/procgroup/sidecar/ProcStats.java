package dev.procgroup.sidecar;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** Reads one process's figures from /proc (Linux). Missing or unreadable files give zeros, never an exception. */
record ProcStats(long pid, long ppid, long userTicks, long systemTicks, double startTimeSeconds,
                 long rssBytes, long virtualBytes, long threads, long openFds, long maxFds,
                 long voluntaryCtxSwitches, long involuntaryCtxSwitches) {

  /** USER_HZ: 100 on every Linux architecture Kubernetes runs on. */
  static final double CLOCK_TICKS = 100.0;
  static final Path PROC = Path.of("/proc");

  /** CPU time in seconds from clock ticks (a sum of ticks first, then this: a counter must never go down). */
  static double seconds(long ticks) {
    return ticks / CLOCK_TICKS;
  }

  static ProcStats read(long pid) {
    Path dir = PROC.resolve(Long.toString(pid));
    String stat = readOr(dir.resolve("stat"), null);
    if (stat == null) return null;
    int close = stat.lastIndexOf(')');
    String[] f = stat.substring(close + 2).trim().split(" ");
    // f[0] is field 3 (state): field n is f[n - 3].
    long ppid = parse(f, 4 - 3);
    long user = parse(f, 14 - 3);   // clock ticks, kept as the kernel counts them: sums stay exact
    long system = parse(f, 15 - 3);
    double start = bootTimeSeconds() + parse(f, 22 - 3) / CLOCK_TICKS;
    Map<String, Long> status = status(dir.resolve("status"));
    return new ProcStats(pid, ppid, user, system, start, status.getOrDefault("VmRSS", 0L) * 1024,
        status.getOrDefault("VmSize", 0L) * 1024, status.getOrDefault("Threads", parse(f, 20 - 3)),
        countFds(dir.resolve("fd")), maxFds(dir.resolve("limits")),
        status.getOrDefault("voluntary_ctxt_switches", 0L), status.getOrDefault("nonvoluntary_ctxt_switches", 0L));
  }

  /** Every pid in this PID namespace. */
  static List<Long> allPids() {
    List<Long> pids = new ArrayList<>();
    try (DirectoryStream<Path> ds = Files.newDirectoryStream(PROC)) {
      for (Path p : ds) {
        String n = p.getFileName().toString();
        if (!n.isEmpty() && Character.isDigit(n.charAt(0))) {
          try {
            pids.add(Long.parseLong(n));
          } catch (NumberFormatException ignored) {
            // not a pid directory
          }
        }
      }
    } catch (IOException ignored) {
      // no /proc: not Linux
    }
    return pids;
  }

  static String comm(long pid) {
    return readOr(PROC.resolve(Long.toString(pid)).resolve("comm"), "").trim();
  }

  private static volatile double bootTime = -1;

  static double bootTimeSeconds() {
    if (bootTime < 0) {
      String s = readOr(PROC.resolve("stat"), "");
      for (String line : s.split("\n")) {
        if (line.startsWith("btime ")) bootTime = Double.parseDouble(line.substring(6).trim());
      }
      if (bootTime < 0) bootTime = 0;
    }
    return bootTime;
  }

  private static Map<String, Long> status(Path p) {
    Map<String, Long> out = new HashMap<>();
    String s = readOr(p, "");
    for (String line : s.split("\n")) {
      int colon = line.indexOf(':');
      if (colon <= 0) continue;
      String key = line.substring(0, colon);
      String v = line.substring(colon + 1).trim();
      int space = v.indexOf(' ');
      if (space > 0) v = v.substring(0, space);
      try {
        out.put(key, Long.parseLong(v));
      } catch (NumberFormatException ignored) {
        // a non-numeric field
      }
    }
    return out;
  }

  private static long countFds(Path fdDir) {
    long n = 0;
    try (DirectoryStream<Path> ds = Files.newDirectoryStream(fdDir)) {
      for (Path ignored : ds) n++;
    } catch (IOException | SecurityException e) {
      return -1; // another user's process without CAP_SYS_PTRACE (the sidecar's own UID is not the app's)
    }
    return n;
  }

  private static long maxFds(Path limits) {
    for (String line : readOr(limits, "").split("\n")) {
      if (line.startsWith("Max open files")) {
        String[] parts = line.substring("Max open files".length()).trim().split("\\s+");
        try {
          return Long.parseLong(parts[0]);
        } catch (NumberFormatException e) {
          return 0;
        }
      }
    }
    return 0;
  }

  private static long parse(String[] f, int i) {
    try {
      return i < f.length ? Long.parseLong(f[i]) : 0;
    } catch (NumberFormatException e) {
      return 0;
    }
  }

  private static String readOr(Path p, String dflt) {
    try {
      return Files.readString(p);
    } catch (IOException | SecurityException | java.io.UncheckedIOException e) {
      return dflt;
    }
  }
}
