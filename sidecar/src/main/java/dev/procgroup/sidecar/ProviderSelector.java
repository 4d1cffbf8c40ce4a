package dev.procgroup.sidecar;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Picks who serves a call: a publisher in this pod first; otherwise round-robin over the ready peers that
 * publish the object and method; optionally only providers of a pinned process. Pure logic (no I/O), so the
 * rules are unit-tested directly. Errors follow PROTOCOL.md: ObjectNotFound, MethodNotFound, NoReadyProvider.
 */
final class ProviderSelector {

  sealed interface Choice permits Local, Remote {}

  record Local(PublisherConnection connection) implements Choice {}

  record Remote(Peer peer) implements Choice {}

  private final Map<String, Integer> cursors = new HashMap<>();

  /**
   * @param locals this pod's publishers of {@code object}, stable order
   * @param peers  all known peers, stable order (sorted by pod name)
   */
  Choice select(String object, String method, String pinnedProcess, String ownProcess,
                List<PublisherConnection> locals, Collection<Peer> peers) {
    boolean localAllowed = pinnedProcess == null || pinnedProcess.equals(ownProcess);
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
    if (!localWithMethod.isEmpty()) {
      return new Local(next(localWithMethod, "L|" + object));
    }

    List<Peer> readyWithMethod = new ArrayList<>();
    for (Peer p : peers) {
      List<String> methods = p.objects.get(object);
      if (methods == null) continue;
      anyProvider = true;
      if (pinnedProcess != null && !pinnedProcess.equals(p.process)) continue;
      anyPinnedProvider = true;
      if (!methods.contains(method)) continue;
      anyWithMethod = true;
      if (p.callable()) readyWithMethod.add(p);
    }
    if (!readyWithMethod.isEmpty()) {
      return new Remote(next(readyWithMethod, "R|" + object + "|" + (pinnedProcess == null ? "" : pinnedProcess)));
    }
    if (!anyProvider) {
      throw HubError.objectNotFound("nobody in the group publishes object '" + object + "'");
    }
    if (!anyPinnedProvider) {
      throw HubError.objectNotFound("no provider of process '" + pinnedProcess + "' publishes object '" + object + "'");
    }
    if (!anyWithMethod) {
      throw HubError.methodNotFound("object '" + object + "' has no method '" + method + "'");
    }
    throw HubError.noReadyProvider("object '" + object + "' has providers, but none is ready");
  }

  private <T> T next(List<T> list, String key) {
    if (list.size() == 1) return list.get(0);
    int i = cursors.merge(key, 1, Integer::sum);
    if (i < 0) { // wrapped after 2^31 calls
      i = 0;
      cursors.put(key, 0);
    }
    return list.get(i % list.size());
  }
}
