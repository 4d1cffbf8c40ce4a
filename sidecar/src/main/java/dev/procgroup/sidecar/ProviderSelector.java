package dev.procgroup.sidecar;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * Picks who serves a call: a publisher in this pod first; otherwise round-robin over the ready peers that
 * publish the object and method; optionally only providers of a pinned process and/or pod. A fan-out call
 * ({@link #selectAll}) gets every such provider. Pure logic (no I/O), so the rules are unit-tested directly.
 * Errors follow PROTOCOL.md: ObjectNotFound, MethodNotFound, NoReadyProvider.
 */
final class ProviderSelector {

  sealed interface Choice permits Local, Remote {}

  record Local(PublisherConnection connection) implements Choice {}

  record Remote(Peer peer) implements Choice {}

  /** Which providers a call may reach: {@code Procgroup-Process} and {@code Procgroup-Pod}, each null for any. */
  record Pin(String process, String pod) {
    static final Pin NONE = new Pin(null, null);

    boolean allows(String providerProcess, String providerPod) {
      return (process == null || process.equals(providerProcess)) && (pod == null || pod.equals(providerPod));
    }

    String describe() {
      return (process == null ? "" : "process '" + process + "'") + (process != null && pod != null ? " and " : "")
          + (pod == null ? "" : "pod '" + pod + "'");
    }
  }

  /** Every provider a call may go to: this pod's publishers and the ready peers, each with the method. */
  record Candidates(List<PublisherConnection> locals, List<Peer> peers) {}

  private final Map<String, Integer> cursors = new HashMap<>();

  /** {@link #select(String, String, Pin, String, String, List, Collection)} pinned to a process only. */
  Choice select(String object, String method, String pinnedProcess, String ownProcess,
                List<PublisherConnection> locals, Collection<Peer> peers) {
    return select(object, method, new Pin(pinnedProcess, null), ownProcess, null, locals, peers);
  }

  /**
   * @param locals this pod's publishers of {@code object}, stable order
   * @param peers  all known peers, stable order (sorted by pod name)
   */
  Choice select(String object, String method, Pin pin, String ownProcess, String ownPod,
                List<PublisherConnection> locals, Collection<Peer> peers) {
    Candidates c = selectAll(object, method, pin, ownProcess, ownPod, locals, peers);
    if (!c.locals().isEmpty()) return new Local(next(c.locals(), () -> "L|" + object));
    return new Remote(next(c.peers(), () -> "R|" + object + "|" + pin));
  }

  /** Every provider that may serve the call (a fan-out); fails as {@link #select} when there is none. */
  Candidates selectAll(String object, String method, Pin pin, String ownProcess, String ownPod,
                       List<PublisherConnection> locals, Collection<Peer> peers) {
    boolean localAllowed = pin.allows(ownProcess, ownPod);
    boolean anyProvider = !locals.isEmpty();
    boolean anyPinnedProvider = localAllowed && !locals.isEmpty();
    boolean anyWithMethod = false;

    List<PublisherConnection> localWithMethod = new ArrayList<>(2);
    if (localAllowed) {
      for (PublisherConnection c : locals) {
        List<String> methods = c.objects.get(object);
        if (methods != null && methods.contains(method)) localWithMethod.add(c);
      }
    }
    anyWithMethod = !localWithMethod.isEmpty();
    List<Peer> readyWithMethod = new ArrayList<>();
    for (Peer p : peers) {
      List<String> methods = p.objects.get(object);
      if (methods == null) continue;
      anyProvider = true;
      if (!pin.allows(p.process, p.pod)) continue;
      anyPinnedProvider = true;
      if (!methods.contains(method)) continue;
      anyWithMethod = true;
      if (p.callable()) readyWithMethod.add(p);
    }
    if (!localWithMethod.isEmpty() || !readyWithMethod.isEmpty()) {
      return new Candidates(localWithMethod, readyWithMethod);
    }
    if (!anyProvider) {
      throw HubError.objectNotFound("nobody in the group publishes object '" + object + "'");
    }
    if (!anyPinnedProvider) {
      throw HubError.objectNotFound("no provider of " + pin.describe() + " publishes object '" + object + "'");
    }
    if (!anyWithMethod) {
      throw HubError.methodNotFound("object '" + object + "' has no method '" + method + "'");
    }
    throw HubError.noReadyProvider("object '" + object + "' has providers, but none is ready");
  }

  /** @param key the round-robin cursor's name, built only when there is a choice to make (not on every call) */
  private <T> T next(List<T> list, Supplier<String> key) {
    if (list.size() == 1) return list.get(0);
    String k = key.get();
    int i = cursors.merge(k, 1, Integer::sum);
    if (i < 0) { // wrapped after 2^31 calls
      i = 0;
      cursors.put(k, 0);
    }
    return list.get(i % list.size());
  }
}
