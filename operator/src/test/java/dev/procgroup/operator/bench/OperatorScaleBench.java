package dev.procgroup.operator.bench;

import dev.procgroup.api.v1alpha1.ProcessGroup;
import dev.procgroup.operator.OperatorConfig;
import dev.procgroup.operator.Specs;
import dev.procgroup.operator.desired.DesiredDeployment;
import dev.procgroup.operator.support.ApiRequests;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * bench/operator/run.sh: N groups of 3 processes (orders 0, 1, 2) converging on a fresh control plane
 * ({@link ScaleCluster}) per phase, against the baseline of the same Deployments applied directly, in one run:
 * for each repetition and N, the phases "direct" and each operator build given (label=source tree) run one after
 * another, their order rotated between repetitions. One JSON line per phase on stdout and in the results file;
 * bench/operator/report.py makes the tables and plot.
 *
 * <p>Usage: OperatorScaleBench results.jsonl reps n1,n2,... label=source-tree...
 * System properties: bench.controllerManager (binary),
 * bench.timeoutSeconds (per phase), bench.rssLimitMiB (the chart's memory limit), bench.jfrDir (record JFR).
 */
public final class OperatorScaleBench {
  /** Orders 0, 1, 2: two "order k Ready → order k+1 created" hops per group. */
  static final List<String> PROCESSES = List.of("agent", "web", "worker");
  static final int CLIENT_THREADS = 16;
  static final String REQUESTS = "procgroup_operator_api_requests_total";

  public static void main(String[] args) throws Exception {
    Path results = Path.of(args[0]);
    int reps = Integer.parseInt(args[1]);
    List<Integer> sizes = java.util.Arrays.stream(args[2].split(",")).map(Integer::parseInt).toList();
    Map<String, String> operators = new LinkedHashMap<>();
    for (int i = 3; i < args.length; i++) operators.put(args[i].split("=", 2)[0], args[i].split("=", 2)[1]);
    List<String> variants = new ArrayList<>(List.of("direct"));
    variants.addAll(operators.keySet());
    Path logs = results.resolveSibling(results.getFileName() + ".logs");
    Files.createDirectories(logs);
    for (int rep = 1; rep <= reps; rep++) {
      for (int n : sizes) {
        for (int v = 0; v < variants.size(); v++) {
          String variant = variants.get((v + rep - 1) % variants.size()); // rotated: no variant always runs first
          Path dir = Files.createDirectories(logs.resolve(variant + "-n" + n + "-rep" + rep));
          Map<String, Object> phase = new LinkedHashMap<>();
          phase.put("variant", variant);
          phase.put("groups", n);
          phase.put("rep", rep);
          phase.put("loadBefore", loadAverage());
          try (ScaleCluster cluster = new ScaleCluster(Path.of(System.getProperty("bench.controllerManager")), dir)) {
            if (variant.equals("direct")) direct(cluster, n, phase);
            else withOperator(cluster, n, operators.get(variant), dir, phase);
          } catch (Exception e) {
            phase.put("failed", String.valueOf(e));
          }
          phase.put("loadAfter", loadAverage());
          String line = Serialization.asJson(phase);
          System.out.println(line);
          Files.writeString(results, line + "\n", java.nio.file.StandardOpenOption.CREATE,
              java.nio.file.StandardOpenOption.APPEND);
        }
      }
    }
    System.exit(0);
  }

  /** The baseline: every group's Deployments (as the operator would make them, without owner) applied at once. */
  static void direct(ScaleCluster cluster, int n, Map<String, Object> phase) throws Exception {
    KubernetesClient client = cluster.client;
    namespace(client, "bench");
    try (Convergence seen = new Convergence(client, "bench")) {
      long t0 = System.nanoTime();
      parallel(n, i -> {
        ProcessGroup pg = group(i);
        pg.getMetadata().setUid("uid-" + i);
        for (var p : pg.getSpec().getProcesses()) {
          Deployment d = DesiredDeployment.of(pg, p, OperatorConfig.SidecarConfig.defaults());
          d.getMetadata().setOwnerReferences(null);
          client.resource(d).fieldManager("bench").serverSideApply();
        }
      });
      phase.put("createdSeconds", seconds(t0, System.nanoTime()));
      boolean done = await(() -> seen.deploymentReady.size() >= n * PROCESSES.size(), null);
      phase.put("converged", done);
      phase.put("convergeSeconds", done ? seconds(t0, max(seen.deploymentReady)) : null);
      phase.put("ready", seen.deploymentReady.size() / PROCESSES.size());
    }
  }

  /** @param tree the source tree whose operator runs (bench/operator/run.sh built it and wrote how to start it) */
  static void withOperator(ScaleCluster cluster, int n, String tree, Path dir, Map<String, Object> phase)
      throws Exception {
    KubernetesClient client = cluster.client;
    List<String> launch = Files.readAllLines(Path.of(tree, "operator/target/bench-launch.txt"));
    String classpath = launch.get(0);
    List<String> flags = new ArrayList<>(List.of(launch.get(1).trim().split("\\s+")));
    Map<String, String> environment = new LinkedHashMap<>();
    for (String kv : launch.size() > 2 ? launch.get(2).trim().split("\\s+") : new String[0]) {
      if (kv.contains("=")) environment.put(kv.split("=", 2)[0], kv.split("=", 2)[1]);
    }
    String jfr = System.getProperty("bench.jfrDir", "");
    if (!jfr.isEmpty()) {
      flags.add("-XX:StartFlightRecording=settings=profile,dumponexit=true,filename="
          + Path.of(jfr).resolve(phase.get("variant") + "-n" + n + "-rep" + phase.get("rep") + ".jfr"));
    }
    phase.put("jvmFlags", String.join(" ", flags));
    phase.put("environment", environment);
    namespace(client, "bench");
    try (OperatorProcess op = new OperatorProcess(flags, environment, classpath, cluster.kubeconfig, dir.resolve("operator.log"));
         Convergence seen = new Convergence(client, "bench")) {
      op.awaitReady(120_000);
      phase.put("idleRssMiB", op.rssKiB() / 1024);
      Map<String, Double> requestsBefore = op.sumBy(REQUESTS, "verb");
      double cpu0 = op.cpuSeconds();
      long t0 = System.nanoTime();
      parallel(n, i -> client.resource(group(i)).create());
      phase.put("createdSeconds", seconds(t0, System.nanoTime()));
      long[] peak = {0};
      boolean done = await(() -> seen.groupRunning.size() >= n, () -> {
        peak[0] = Math.max(peak[0], op.rssKiB());
        return op.process.isAlive();
      });
      long t1 = done ? max(seen.groupRunning) : System.nanoTime();
      phase.put("converged", done);
      phase.put("convergeSeconds", done ? seconds(t0, t1) : null);
      phase.put("ready", seen.groupRunning.size());
      if (!op.process.isAlive()) {
        phase.put("failed", "operator exited " + op.process.exitValue() + ": " + op.tail(5));
        return;
      }
      phase.put("cpuSeconds", op.cpuSeconds() - cpu0);
      phase.put("peakRssMiB", Math.max(peak[0], op.peakRssKiB()) / 1024);
      long limit = Long.getLong("bench.rssLimitMiB", 512);
      phase.put("overMemoryLimit", Math.max(peak[0], op.peakRssKiB()) / 1024 > limit);
      try {
        Map<String, Double> requests = op.sumBy(REQUESTS, "verb");
        requestsBefore.forEach((verb, c) -> requests.merge(verb, -c, Double::sum));
        phase.put("requestsByVerb", requests);
        phase.put("writeRequestsByResource", writesByResource(op));
        phase.put("reconciles", op.sumBy("procgroup_reconciliations_total", "").getOrDefault("", 0.0));
      } catch (java.io.IOException e) { // an operator too busy (collecting garbage) to answer within 10 s
        phase.put("metricsError", String.valueOf(e));
      }
      List<String> names = new ArrayList<>();
      for (int i = 0; i < n; i++) names.add(name(i));
      phase.put("hopMs", percentiles(seen.hops(names, PROCESSES)));
    }
  }

  /** Creates, updates, patches and deletes by resource: which objects the writes go to. */
  static Map<String, Double> writesByResource(OperatorProcess op) throws Exception {
    Map<String, Double> out = new java.util.TreeMap<>();
    for (OperatorProcess.Sample s : op.scrape()) {
      String verb = s.labels().getOrDefault("verb", "");
      if (s.name().equals(REQUESTS) && ApiRequests.isWrite(verb)) {
        out.merge(verb + " " + s.labels().get("resource"), s.value(), Double::sum);
      }
    }
    return out;
  }

  static Map<String, Object> percentiles(List<Double> values) {
    List<Double> sorted = values.stream().sorted().toList();
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("count", sorted.size());
    if (sorted.isEmpty()) return out;
    out.put("p50", sorted.get((int) Math.floor(0.50 * (sorted.size() - 1))));
    out.put("p99", sorted.get((int) Math.floor(0.99 * (sorted.size() - 1))));
    out.put("max", sorted.get(sorted.size() - 1));
    return out;
  }

  interface Check { boolean ok() throws Exception; }

  /** Waits until done, or the phase times out, or alive says the operator died. Samples every 200 ms. */
  static boolean await(Check done, Check alive) throws Exception {
    long end = System.nanoTime() + Long.getLong("bench.timeoutSeconds", 300) * 1_000_000_000L;
    while (System.nanoTime() < end) {
      if (alive != null && !alive.ok()) return false;
      if (done.ok()) return true;
      Thread.sleep(200);
    }
    return false;
  }

  static ProcessGroup group(int i) {
    ProcessGroup pg = Specs.group(name(i), Specs.process(PROCESSES.get(0), 0, 1), Specs.process(PROCESSES.get(1), 1, 2),
        Specs.process(PROCESSES.get(2), 2, 1));
    pg.getMetadata().setNamespace("bench");
    pg.getMetadata().setUid(null);
    pg.getMetadata().setGeneration(null);
    return pg;
  }

  static String name(int i) {
    return String.format("g%04d", i);
  }

  static void namespace(KubernetesClient client, String name) {
    client.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName(name).endMetadata().build()).create();
  }

  interface Task { void run(int i) throws Exception; }

  static void parallel(int n, Task task) throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(CLIENT_THREADS);
    List<Future<?>> fs = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      int k = i;
      fs.add(pool.submit(() -> { task.run(k); return null; }));
    }
    for (Future<?> f : fs) f.get();
    pool.shutdown();
  }

  static long max(Map<String, Long> times) {
    return times.values().stream().mapToLong(Long::longValue).max().orElse(0);
  }

  static double seconds(long from, long to) {
    return Math.round((to - from) / 1e7) / 100.0;
  }

  static String loadAverage() throws java.io.IOException {
    return Files.readString(Path.of("/proc/loadavg")).trim();
  }
}
