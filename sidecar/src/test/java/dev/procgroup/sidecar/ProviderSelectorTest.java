package dev.procgroup.sidecar;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ProviderSelectorTest {

  private final ProviderSelector selector = new ProviderSelector();

  private static PublisherConnection local(long id, String object, String... methods) {
    PublisherConnection c = new PublisherConnection(id, new RecordingSink());
    c.objects.put(object, List.of(methods));
    return c;
  }

  private static Peer peer(String pod, String process, boolean ready, String object, String... methods) {
    Peer p = new Peer(pod);
    p.process = process;
    p.address = "10.0.0." + pod.length() + ":7071";
    p.present = ready;
    p.reachable = ready;
    p.objects = Map.of(object, List.of(methods));
    return p;
  }

  @Test
  void aPodPinSelectsThatPodsProvidersAndAFanOutGetsEveryReadyProvider() {
    PublisherConnection c = local(1, "snap", "take");
    Peer b = peer("b", "bg", true, "snap", "take");
    Peer d = peer("d", "bg", true, "snap", "take");
    Peer unready = peer("e", "bg", false, "snap", "take");
    List<Peer> peers = List.of(b, d, unready);
    var pinned = selector.select("snap", "take", new ProviderSelector.Pin(null, "d"), "web", "a", List.of(c), peers);
    assertThat(pinned).isEqualTo(new ProviderSelector.Remote(d));
    var own = selector.select("snap", "take", new ProviderSelector.Pin("web", "a"), "web", "a", List.of(c), peers);
    assertThat(own).isEqualTo(new ProviderSelector.Local(c));
    var all = selector.selectAll("snap", "take", ProviderSelector.Pin.NONE, "web", "a", List.of(c), peers);
    assertThat(all.locals()).containsExactly(c);
    assertThat(all.peers()).containsExactly(b, d);
    assertThatThrownBy(() -> selector.selectAll("snap", "take", new ProviderSelector.Pin("bg", "a"), "web", "a",
        List.of(c), peers)).isInstanceOfSatisfying(HubError.class, e -> {
          assertThat(e.name).isEqualTo("ObjectNotFound");
          assertThat(e.getMessage()).contains("process 'bg' and pod 'a'");
        });
  }

  @Test
  void prefersALocalProviderOverReadyPeers() {
    PublisherConnection c = local(1, "snap", "take");
    var choice = selector.select("snap", "take", null, "web", List.of(c), List.of(peer("b", "bg", true, "snap", "take")));
    assertThat(choice).isEqualTo(new ProviderSelector.Local(c));
  }

  @Test
  void roundRobinsOverReadyPeersSkippingUnreadyOnes() {
    Peer a = peer("a", "bg", true, "snap", "take");
    Peer b = peer("b", "bg", false, "snap", "take");
    Peer c = peer("c", "bg", true, "snap", "take");
    List<Peer> peers = List.of(a, b, c);
    List<Peer> picked = java.util.stream.IntStream.range(0, 4)
        .mapToObj(i -> ((ProviderSelector.Remote) selector.select("snap", "take", null, "web", List.of(), peers)).peer())
        .toList();
    assertThat(picked).containsExactly(c, a, c, a);
  }

  @Test
  void roundRobinsOverSeveralLocalPublishers() {
    PublisherConnection c1 = local(1, "snap", "take");
    PublisherConnection c2 = local(2, "snap", "take");
    var first = selector.select("snap", "take", null, "web", List.of(c1, c2), List.of());
    var second = selector.select("snap", "take", null, "web", List.of(c1, c2), List.of());
    assertThat(List.of(first, second)).containsExactlyInAnyOrder(new ProviderSelector.Local(c1), new ProviderSelector.Local(c2));
  }

  @Test
  void aPinnedProcessSkipsLocalProvidersOfAnotherProcess() {
    PublisherConnection c = local(1, "snap", "take");
    Peer bg = peer("b", "background", true, "snap", "take");
    Peer other = peer("c", "other", true, "snap", "take");
    var choice = selector.select("snap", "take", "background", "web", List.of(c), List.of(bg, other));
    assertThat(choice).isEqualTo(new ProviderSelector.Remote(bg));
  }

  @Test
  void aPinToTheOwnProcessStillUsesTheLocalProvider() {
    PublisherConnection c = local(1, "snap", "take");
    assertThat(selector.select("snap", "take", "web", "web", List.of(c), List.of()))
        .isEqualTo(new ProviderSelector.Local(c));
  }

  @Test
  void unknownObjectIsObjectNotFound() {
    assertThatThrownBy(() -> selector.select("nope", "m", null, "web", List.of(), List.of(peer("b", "bg", true, "snap", "take"))))
        .isInstanceOfSatisfying(HubError.class, e -> {
          assertThat(e.status).isEqualTo(404);
          assertThat(e.name).isEqualTo("ObjectNotFound");
        });
  }

  @Test
  void pinnedProcessWithoutTheObjectIsObjectNotFound() {
    assertThatThrownBy(() -> selector.select("snap", "take", "web2", "web", List.of(), List.of(peer("b", "bg", true, "snap", "take"))))
        .isInstanceOfSatisfying(HubError.class, e -> {
          assertThat(e.name).isEqualTo("ObjectNotFound");
          assertThat(e.getMessage()).contains("web2");
        });
  }

  @Test
  void unknownMethodIsMethodNotFound() {
    assertThatThrownBy(() -> selector.select("snap", "drop", null, "web", List.of(local(1, "snap", "take")), List.of()))
        .isInstanceOfSatisfying(HubError.class, e -> {
          assertThat(e.status).isEqualTo(404);
          assertThat(e.name).isEqualTo("MethodNotFound");
        });
  }

  @Test
  void onlyUnreadyProvidersIsNoReadyProvider() {
    Peer b = peer("b", "bg", false, "snap", "take");
    Peer noAddress = peer("c", "bg", true, "snap", "take");
    noAddress.address = null;
    assertThatThrownBy(() -> selector.select("snap", "take", null, "web", List.of(), List.of(b, noAddress)))
        .isInstanceOfSatisfying(HubError.class, e -> {
          assertThat(e.status).isEqualTo(503);
          assertThat(e.name).isEqualTo("NoReadyProvider");
        });
  }
}
