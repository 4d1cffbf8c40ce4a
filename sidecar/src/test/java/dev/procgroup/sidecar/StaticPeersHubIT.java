package dev.procgroup.sidecar;

import dev.procgroup.testing.TestPorts;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/** The hub scenarios with static peer lists (PROCGROUP_STATIC_PEERS mode: no apiserver). */
class StaticPeersHubIT extends AbstractHubIT {

  static final Map<String, Sidecar> SIDECARS = new LinkedHashMap<>();

  @BeforeAll
  static void startSidecars() {
    Map<String, String> processes = Map.of("a", "web", "b", "background", "c", "worker");
    Map<String, Integer> peerPorts = new LinkedHashMap<>();
    for (String pod : List.of("a", "b", "c")) peerPorts.put(pod, TestPorts.free());
    for (String pod : List.of("a", "b", "c")) {
      List<SidecarConfig.StaticPeer> peers = new ArrayList<>();
      peerPorts.forEach((p, port) -> {
        if (!p.equals(pod)) peers.add(new SidecarConfig.StaticPeer(p, "127.0.0.1:" + port));
      });
      SidecarConfig config = SidecarConfig.builder().group("static-it").process(processes.get(pod)).podName(pod)
          .hubToken(TOKEN).hubPort(0).peerHost("127.0.0.1").peerPort(peerPorts.get(pod)).metricsHost("127.0.0.1")
          .metricsPort(0).appMetrics("off").staticPeers(peers).build();
      SIDECARS.put(pod, Await.of(new Sidecar(config).start()));
    }
  }

  @AfterAll
  static void stopSidecars() {
    SIDECARS.values().forEach(s -> Await.of(s.stop()));
    SIDECARS.clear();
  }

  @Override Map<String, Sidecar> sidecars() {
    return SIDECARS;
  }
}
