package dev.procgroup.operator.desired;

import dev.procgroup.api.v1alpha1.ProcessGroup;
import dev.procgroup.api.v1alpha1.Reserved;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The group's hub Service {@code <group>-hub}: headless, selecting every pod of the group, ready or not. Nobody
 * connects to it; its EndpointSlices, kept by the cluster's EndpointSlice controller, are how the sidecars find
 * each other. A slice lists addresses and readiness only, so the sidecars' Role can be list/watch of EndpointSlices
 * instead of pods (a Pod object shows every container's inline environment). Not-ready pods are listed too
 * ({@code publishNotReadyAddresses}): a pod whose app is not Ready may still publish objects, and the sidecars
 * decide by probing each other whether a peer answers.
 */
public final class DesiredHubService {
  private DesiredHubService() {}

  public static Service of(ProcessGroup pg) {
    String group = pg.getMetadata().getName();
    return new ServiceBuilder()
        .withNewMetadata()
          .withName(Names.hub(group))
          .withNamespace(pg.getMetadata().getNamespace())
          .withLabels(Labels.hubService(group))
          .withOwnerReferences(Owner.of(pg))
        .endMetadata()
        .withNewSpec()
          .withType("ClusterIP")
          .withClusterIP(DesiredService.HEADLESS)
          .withSelector(selector(group))
          .withPublishNotReadyAddresses(true)
          // the slices carry the port each pod names hub-peer: whatever the operator's sidecar peer port is
          .addNewPort().withName(Reserved.PEER_PORT_NAME).withPort(Reserved.PEER_PORT)
            .withTargetPort(new IntOrString(Reserved.PEER_PORT_NAME)).withProtocol(DesiredService.DEFAULT_PROTOCOL)
          .endPort()
        .endSpec()
        .build();
  }

  /** Every pod of the group, of any process. */
  static Map<String, String> selector(String group) {
    Map<String, String> m = new LinkedHashMap<>();
    m.put(Labels.GROUP, group);
    m.put(Labels.MANAGED_BY, Labels.OPERATOR);
    return m;
  }
}
