package dev.procgroup.sidecar;

import io.vertx.core.Future;
import java.util.List;
import java.util.Map;

/**
 * A fixed peer list from {@code PROCGROUP_STATIC_PEERS}: every peer is taken as ready. Meant for benchmarks and
 * local tests without an apiserver; a peer that is not up yet is simply retried until it answers.
 */
final class StaticDiscovery implements Discovery {
  private final List<SidecarConfig.StaticPeer> peers;

  StaticDiscovery(List<SidecarConfig.StaticPeer> peers) {
    this.peers = peers;
  }

  @Override public Future<Void> start(Listener listener) {
    for (SidecarConfig.StaticPeer p : peers) {
      listener.upsert(new PodInfo(p.pod(), null, p.address(), true, false, Map.of()));
    }
    listener.synced();
    return Future.succeededFuture();
  }

  @Override public void stop() {}
}
