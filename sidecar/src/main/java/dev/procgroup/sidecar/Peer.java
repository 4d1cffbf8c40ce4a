package dev.procgroup.sidecar;

import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Another pod of the group as this sidecar sees it: from discovery (address, conditions), from probing its peer API
 * (reachable) and from announces (objects).
 */
final class Peer {
  final String pod;
  String process = "";
  /** host:port of its peer API, null while the pod has no IP. */
  String address;
  /** Listed by discovery and not terminating. */
  boolean present;
  /** The pod is Ready, as discovery last said. */
  boolean serving;
  /** Its objects document was fetched from {@link #address} and no call to it has failed on the wire since. */
  boolean reachable;
  /** A probe (objects fetch) is in flight. */
  boolean probing;
  /** A probe has completed once, answered or failed: the first view of the group ({@code Hub#firstView}) waits for it. */
  boolean probedOnce;
  /** object name -> methods, as last announced or fetched. */
  Map<String, List<String>> objects = new LinkedHashMap<>();
  /** object name -> data properties, as last announced (objects without any have no entry). */
  Map<String, List<String>> properties = Map.of();
  /** Revision of {@link #objects}; an older announce never overwrites a newer one. */
  long revision = -1;
  /** Calls in flight to this peer: failed with ProviderGone when it goes away. */
  final Set<RemoteCall> inFlight = new HashSet<>();

  Peer(String pod) {
    this.pod = pod;
  }

  boolean callable() {
    return present && reachable && address != null;
  }

  /** A call in flight to a peer, cancellable when the peer leaves. */
  interface RemoteCall {
    void providerGone(String why);
  }
}
