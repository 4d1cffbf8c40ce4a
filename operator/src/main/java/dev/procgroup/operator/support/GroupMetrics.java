package dev.procgroup.operator.support;

import dev.procgroup.api.v1alpha1.ProcessGroupStatus;
import dev.procgroup.api.v1alpha1.ProcessStatus;
import dev.procgroup.operator.status.StatusCalculator;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The operator's view of every group as Prometheus series: groups by phase and, per process, desired and ready
 * replicas and restarts. Series of a deleted group or process are removed, not left at their last value.
 */
public final class GroupMetrics {
  private static final List<String> PHASES = List.of(StatusCalculator.PENDING, StatusCalculator.PROGRESSING,
      StatusCalculator.RUNNING, StatusCalculator.DEGRADED, StatusCalculator.FAILED, StatusCalculator.TERMINATING);

  private final MeterRegistry registry;
  private final Map<String, String> phaseByGroup = new ConcurrentHashMap<>();
  private final Map<Tags, AtomicInteger[]> processGauges = new ConcurrentHashMap<>();
  private final Counter reconciliations;

  public GroupMetrics(MeterRegistry registry) {
    this.registry = registry;
    this.reconciliations = Counter.builder("procgroup.reconciliations")
        .description("Reconciliations of ProcessGroups").register(registry);
    for (String phase : PHASES) {
      Gauge.builder("procgroup.groups", phaseByGroup, m -> m.values().stream().filter(phase::equals).count())
          .description("ProcessGroups by phase").tag("phase", phase).register(registry);
    }
  }

  public void reconciled() { reconciliations.increment(); }

  public void update(String namespace, String group, ProcessGroupStatus status) {
    String key = namespace + "/" + group;
    phaseByGroup.put(key, status.getPhase());
    for (ProcessStatus p : status.getProcesses()) {
      Tags tags = Tags.of("namespace", namespace, "group", group, "process", p.getName());
      AtomicInteger[] values = processGauges.computeIfAbsent(tags, this::register);
      values[0].set(p.getDesired());
      values[1].set(p.getReady());
      values[2].set(p.getRestarts());
    }
    processGauges.keySet().removeIf(tags -> belongsTo(tags, namespace, group)
        && status.getProcesses().stream().noneMatch(p -> p.getName().equals(value(tags, "process")))
        && unregister(tags));
  }

  public void remove(String namespace, String group) {
    phaseByGroup.remove(namespace + "/" + group);
    processGauges.keySet().removeIf(tags -> belongsTo(tags, namespace, group) && unregister(tags));
  }

  private AtomicInteger[] register(Tags tags) {
    AtomicInteger[] v = {new AtomicInteger(), new AtomicInteger(), new AtomicInteger()};
    Gauge.builder("procgroup.process.desired.replicas", v[0], AtomicInteger::get).tags(tags)
        .description("Replicas a process wants").register(registry);
    Gauge.builder("procgroup.process.ready.replicas", v[1], AtomicInteger::get).tags(tags)
        .description("Ready replicas of a process").register(registry);
    Gauge.builder("procgroup.process.restarts", v[2], AtomicInteger::get).tags(tags)
        .description("Container restarts of a process over its current pods").register(registry);
    return v;
  }

  private boolean unregister(Tags tags) {
    for (String name : List.of("procgroup.process.desired.replicas", "procgroup.process.ready.replicas",
        "procgroup.process.restarts")) {
      Meter m = registry.find(name).tags(tags).meter();
      if (m != null) registry.remove(m);
    }
    return true;
  }

  private static boolean belongsTo(Tags tags, String namespace, String group) {
    return namespace.equals(value(tags, "namespace")) && group.equals(value(tags, "group"));
  }

  private static String value(Tags tags, String key) {
    return tags.stream().filter(t -> t.getKey().equals(key)).findFirst().map(t -> t.getValue()).orElse(null);
  }
}
