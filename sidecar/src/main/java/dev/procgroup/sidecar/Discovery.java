package dev.procgroup.sidecar;

import io.vertx.core.Future;

/**
 * Finds the pods of the group: {@link KubeDiscovery} (list + watch of the hub Service's EndpointSlices) or
 * {@link StaticDiscovery} (fixed list).
 */
interface Discovery {

  /** Receives pod changes on the event loop. */
  interface Listener {
    /** A pod of the group was added or changed (this pod included: the hub skips it). */
    void upsert(PeerEndpoint pod);

    void removed(String podName);

    /** The first complete view of the group is in (readiness waits for it). */
    void synced();
  }

  Future<Void> start(Listener listener);

  void stop();
}
