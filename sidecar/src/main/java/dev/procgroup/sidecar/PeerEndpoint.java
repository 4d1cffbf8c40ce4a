package dev.procgroup.sidecar;

/**
 * One pod of the group as discovery reports it: where its peer API listens and what the Kubernetes endpoint
 * conditions say. Whether its sidecar actually answers is not known from here: the hub probes it.
 *
 * @param address     host:port of its peer API, null while the pod has no IP
 * @param serving     the pod is Ready (all its containers); a change to false makes the hub probe it again
 * @param terminating the pod is being deleted: no new calls go to it
 */
record PeerEndpoint(String pod, String address, boolean serving, boolean terminating) {

  /** host:port, with an IPv6 address in brackets. */
  static String address(String ip, int port) {
    if (ip == null || ip.isEmpty()) return null;
    return (ip.contains(":") ? "[" + ip + "]" : ip) + ":" + port;
  }
}
