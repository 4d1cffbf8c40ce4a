package dev.procgroup.operator;

import dev.procgroup.api.v1alpha1.ProcessGroup;
import dev.procgroup.api.v1alpha1.ProcessSpec;
import dev.procgroup.operator.desired.DesiredService;
import dev.procgroup.operator.support.EventRecorder;
import io.fabric8.kubernetes.api.model.Service;
import java.util.HashSet;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;

/**
 * Keeps every process's Service as {@link DesiredService} wants it, level-triggered from the informer cache:
 * applied only when missing or drifted (a converged group costs no API call), deleted when no longer wanted,
 * and recreated when it switches between ClusterIP and Headless. Independent of the start order: a Service of a
 * process that is not running yet simply has no endpoints.
 */
final class ProcessServices {
  private final ClusterWriter cluster;

  ProcessServices(ClusterWriter cluster) {
    this.cluster = cluster;
  }

  /**
   * @param observed the group's Services in the informer cache, by process
   * @return the Services the group has after this pass, by process
   */
  Map<String, Service> sync(ProcessGroup pg, Map<String, Service> observed, EventRecorder recorder) {
    Map<String, Service> current = new TreeMap<>();
    Set<String> wanted = new HashSet<>();
    for (ProcessSpec p : pg.getSpec().getProcesses()) {
      Optional<Service> want = DesiredService.of(pg, p);
      if (want.isEmpty()) continue;
      wanted.add(p.getName());
      Service have = observed.get(p.getName());
      if (have != null && have.getMetadata().getDeletionTimestamp() != null) continue; // recreated once it is gone
      switch (ServiceDrift.of(want.get(), have)) {
        case NONE -> current.put(p.getName(), have);
        case APPLY -> {
          current.put(p.getName(), apply(want.get(), have));
          if (have != null) {
            recorder.normal(pg, "ServiceUpdated", "Service " + name(have) + " differed from the spec (a spec change "
                + "or a hand edit); applied it");
          }
        }
        case RECREATE -> {
          // clusterIP is immutable; its deletion event brings the next reconcile, which creates it anew
          cluster.deleteService(have);
          recorder.normal(pg, "ServiceRecreated", "Service " + name(have) + " is recreated as "
              + p.effectiveExpose());
        }
      }
    }
    observed.forEach((process, s) -> {
      if (!wanted.contains(process) && s.getMetadata().getDeletionTimestamp() == null) {
        cluster.deleteService(s);
        recorder.normal(pg, "ServiceRemoved", "deleted Service " + name(s) + ": process " + process
            + " is gone, has no ports or has expose: None");
      }
    });
    return current;
  }

  private Service apply(Service want, Service have) {
    if (have != null && !ServiceDrift.samePorts(want, have)) cluster.replaceServicePorts(want);
    return cluster.apply(want);
  }

  private static String name(Service s) {
    return s.getMetadata().getName();
  }
}
