package dev.procgroup.sidecar;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * The group's pods as the EndpointSlices of its hub Service list them, and what changed with each slice event.
 * A Service can have several slices and the controller may list a pod in two of them while it moves it, so the
 * view merges all slices, preferring the entry that is not terminating, then serving. Pure: {@link KubeDiscovery}
 * feeds it the API's objects.
 */
final class EndpointSliceView {

  /** Pods to add or update, and pods gone from every slice. */
  record Changes(List<PeerEndpoint> upserts, List<String> removals) {}

  private static final Comparator<PeerEndpoint> PREFERRED = Comparator
      .comparing((PeerEndpoint e) -> !e.terminating())
      .thenComparing(PeerEndpoint::serving)
      .thenComparing(e -> e.address() != null);

  private final int defaultPort;
  private final Map<String, Map<String, PeerEndpoint>> slices = new HashMap<>();
  private Map<String, PeerEndpoint> merged = new TreeMap<>();

  /** @param defaultPort the peer port when a slice lists no port */
  EndpointSliceView(int defaultPort) {
    this.defaultPort = defaultPort;
  }

  Changes put(JsonObject slice) {
    slices.put(name(slice), endpoints(slice));
    return remerge();
  }

  Changes delete(JsonObject slice) {
    slices.remove(name(slice));
    return remerge();
  }

  /** A fresh list: slices it no longer has are gone. */
  Changes replaceAll(List<JsonObject> list) {
    slices.clear();
    for (JsonObject s : list) slices.put(name(s), endpoints(s));
    return remerge();
  }

  private Changes remerge() {
    Map<String, PeerEndpoint> next = new TreeMap<>();
    for (Map<String, PeerEndpoint> s : slices.values()) {
      for (PeerEndpoint e : s.values()) next.merge(e.pod(), e, (a, b) -> PREFERRED.compare(a, b) >= 0 ? a : b);
    }
    List<PeerEndpoint> upserts = new ArrayList<>();
    next.forEach((pod, e) -> {
      if (!Objects.equals(merged.get(pod), e)) upserts.add(e);
    });
    List<String> removals = new ArrayList<>();
    for (String pod : merged.keySet()) if (!next.containsKey(pod)) removals.add(pod);
    merged = next;
    return new Changes(upserts, removals);
  }

  private static String name(JsonObject slice) {
    return object(slice, "metadata").getString("name", "");
  }

  /** The endpoints of one slice that name a pod, by pod. The hub Service has one port: the peer API's. */
  private Map<String, PeerEndpoint> endpoints(JsonObject slice) {
    int port = defaultPort;
    JsonArray ports = array(slice, "ports");
    if (!ports.isEmpty() && ports.getValue(0) instanceof JsonObject p && p.getInteger("port") != null) {
      port = p.getInteger("port");
    }
    Map<String, PeerEndpoint> out = new HashMap<>();
    for (Object o : array(slice, "endpoints")) {
      if (!(o instanceof JsonObject e)) continue;
      JsonObject ref = object(e, "targetRef");
      String pod = ref.getString("name");
      if (pod == null || !"Pod".equals(ref.getString("kind", "Pod"))) continue;
      JsonArray addresses = array(e, "addresses");
      String ip = addresses.isEmpty() || !(addresses.getValue(0) instanceof String a) ? null : a;
      JsonObject c = object(e, "conditions");
      boolean ready = flag(c, "ready", true);
      // serving unset means: the same as ready (API docs of EndpointConditions)
      out.put(pod, new PeerEndpoint(pod, PeerEndpoint.address(ip, port), flag(c, "serving", ready),
          flag(c, "terminating", false)));
    }
    return out;
  }

  // The API omits unset fields, but a JSON null must not break discovery either.
  private static JsonObject object(JsonObject o, String key) {
    return o.getValue(key) instanceof JsonObject v ? v : new JsonObject();
  }

  private static JsonArray array(JsonObject o, String key) {
    return o.getValue(key) instanceof JsonArray v ? v : new JsonArray();
  }

  private static boolean flag(JsonObject o, String key, boolean unset) {
    return o.getValue(key) instanceof Boolean b ? b : unset;
  }
}
