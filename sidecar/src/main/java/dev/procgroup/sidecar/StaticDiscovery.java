package dev.procgroup.sidecar;

import io.vertx.core.Future;
import java.util.List;

/**
 * A fixed peer list from {@code PROCGROUP_STATIC_PEERS}. Meant for benchmarks and local tests without an apiserver;
 * the hub probes each peer until it answers, as it does with Kubernetes discovery.
 */
final class StaticDiscovery implements Discovery {
  private final List<SidecarConfig.StaticPeer> peers;

  StaticDiscovery(List<SidecarConfig.StaticPeer> peers) {
    this.peers = peers;
  }

  @Override public Future<Void> start(Listener listener) {
    for (SidecarConfig.StaticPeer p : peers) {
      listener.upsert(new PeerEndpoint(p.pod(), p.address(), true, false));
    }
    listener.synced();
    return Future.succeededFuture();
  }

  @Override public void stop() {}
}
