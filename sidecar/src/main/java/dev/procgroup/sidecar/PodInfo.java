package dev.procgroup.sidecar;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.HashMap;
import java.util.Map;

/**
 * What the hub needs from a Pod object: its peer address, whether its {@code procgroup-hub} container is ready,
 * its process, and the restart counts of its containers.
 *
 * @param process     label {@code procgroup.dev/process}, or null (then the peer's objects document tells)
 * @param peerAddress host:port of its peer API, null while the pod has no IP
 */
record PodInfo(String name, String process, String peerAddress, boolean hubReady, boolean terminating,
               Map<String, Integer> restarts) {

  static final String HUB_CONTAINER = "procgroup-hub";
  static final String PROCESS_LABEL = "procgroup.dev/process";
  /** Test-only override of the peer address (honoured only with PROCGROUP_PEER_ADDRESS_ANNOTATION=true). */
  static final String PEER_ADDRESS_ANNOTATION = "procgroup.dev/peer-address";

  Integer restartsOf(String container) {
    return restarts.get(container);
  }

  /**
   * Parses a Pod JSON object. The hub container is a native sidecar, so its status is in
   * {@code status.initContainerStatuses}; {@code containerStatuses} is searched too (a plain sidecar).
   */
  static PodInfo fromJson(JsonObject pod, int peerPort, boolean allowAddressAnnotation) {
    JsonObject meta = pod.getJsonObject("metadata", new JsonObject());
    JsonObject status = pod.getJsonObject("status", new JsonObject());
    String name = meta.getString("name");
    String process = meta.getJsonObject("labels", new JsonObject()).getString(PROCESS_LABEL);
    String ip = status.getString("podIP");
    String address = null;
    if (ip != null && !ip.isEmpty()) {
      address = (ip.contains(":") ? "[" + ip + "]" : ip) + ":" + peerPort;
    }
    if (allowAddressAnnotation) {
      String override = meta.getJsonObject("annotations", new JsonObject()).getString(PEER_ADDRESS_ANNOTATION);
      if (override != null && !override.isBlank() && address != null) address = override.trim();
    }
    boolean hubReady = false;
    Map<String, Integer> restarts = new HashMap<>();
    for (String key : new String[] {"initContainerStatuses", "containerStatuses"}) {
      JsonArray statuses = status.getJsonArray(key);
      if (statuses == null) continue;
      for (Object o : statuses) {
        if (!(o instanceof JsonObject cs)) continue;
        String cname = cs.getString("name");
        if (cname == null) continue;
        restarts.put(cname, cs.getInteger("restartCount", 0));
        if (HUB_CONTAINER.equals(cname) && Boolean.TRUE.equals(cs.getBoolean("ready"))) hubReady = true;
      }
    }
    boolean terminating = meta.getString("deletionTimestamp") != null;
    return new PodInfo(name, process, address, hubReady && address != null, terminating, restarts);
  }
}
