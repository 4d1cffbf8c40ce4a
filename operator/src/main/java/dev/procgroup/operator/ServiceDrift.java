package dev.procgroup.operator;

import dev.procgroup.operator.desired.DesiredService;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServicePort;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * What it takes to bring an observed Service to the desired one, judged only on the fields the operator owns
 * (labels, selector, type, ports, clusterIP None or not, publishNotReadyAddresses, the owner), so that what the
 * API server defaults (cluster IPs, IP families, session affinity) or others add (labels) is not drift.
 * Public for the API tests, which hold it against Services as a real API server returns them.
 */
public enum ServiceDrift {
  NONE,
  /** Missing or drifted: server-side apply. */
  APPLY,
  /** ClusterIP and Headless swapped: clusterIP is immutable, so delete and create anew. */
  RECREATE;

  public static ServiceDrift of(Service want, Service have) {
    if (have == null) return APPLY;
    if (headless(want) != headless(have)) return RECREATE;
    boolean same = labelsIncluded(want.getMetadata().getLabels(), have.getMetadata().getLabels())
        && Objects.equals(want.getSpec().getSelector(), have.getSpec().getSelector())
        && Objects.equals(want.getSpec().getType(), have.getSpec().getType())
        && samePorts(want, have)
        && !Boolean.TRUE.equals(have.getSpec().getPublishNotReadyAddresses())
        && ownedAsWanted(want, have);
    return same ? NONE : APPLY;
  }

  /** Port lists as sets: server-side apply merges them by port and protocol, so their order is not ours to keep. */
  static boolean samePorts(Service want, Service have) {
    return portSet(want).equals(portSet(have));
  }

  private static boolean headless(Service s) {
    return DesiredService.HEADLESS.equals(s.getSpec().getClusterIP());
  }

  private static boolean labelsIncluded(Map<String, String> want, Map<String, String> have) {
    return have != null && have.entrySet().containsAll(want.entrySet());
  }

  /** Controlled by the group that wants it. */
  private static boolean ownedAsWanted(Service want, Service have) {
    String uid = want.getMetadata().getOwnerReferences().get(0).getUid();
    List<OwnerReference> owners = have.getMetadata().getOwnerReferences();
    return owners != null && owners.stream()
        .anyMatch(o -> uid.equals(o.getUid()) && Boolean.TRUE.equals(o.getController()));
  }

  private record Port(String name, int port, String target, String protocol) {}

  private static Set<Port> portSet(Service s) {
    List<ServicePort> ports = s.getSpec().getPorts();
    return ports == null ? Set.of() : ports.stream()
        .map(p -> new Port(p.getName() == null ? "" : p.getName(), p.getPort() == null ? 0 : p.getPort(),
            target(p.getTargetPort()), p.getProtocol() == null ? DesiredService.DEFAULT_PROTOCOL : p.getProtocol()))
        .collect(Collectors.toSet());
  }

  private static String target(IntOrString t) {
    if (t == null) return "";
    return t.getStrVal() != null ? t.getStrVal() : String.valueOf(t.getIntVal());
  }
}
