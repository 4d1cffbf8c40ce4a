package dev.procgroup.sidecar;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.json.JsonObject;
import java.util.List;
import org.junit.jupiter.api.Test;

/** EndpointSlice JSON as the API serves it (discovery.k8s.io/v1), merged into the group's peers. */
class EndpointSliceViewTest {

  private final EndpointSliceView view = new EndpointSliceView(7071);

  private static JsonObject slice(String name, String addressType, Integer port, String... endpoints) {
    return new JsonObject("""
        {"metadata":{"name":"%s","labels":{"kubernetes.io/service-name":"shop-hub"}},"addressType":"%s",
         "endpoints":[%s],"ports":%s}""".formatted(name, addressType, String.join(",", endpoints),
        port == null ? "null" : "[{\"name\":\"hub-peer\",\"port\":" + port + ",\"protocol\":\"TCP\"}]"));
  }

  private static String endpoint(String pod, String ip, boolean ready, Boolean serving, Boolean terminating) {
    return """
        {"addresses":["%s"],"conditions":{"ready":%s%s%s},"targetRef":{"kind":"Pod","namespace":"ns","name":"%s"}}"""
        .formatted(ip, ready, serving == null ? "" : ",\"serving\":" + serving,
            terminating == null ? "" : ",\"terminating\":" + terminating, pod);
  }

  @Test
  void anEndpointBecomesAPeerAtTheSlicesPort() {
    var changes = view.put(slice("shop-hub-x1", "IPv4", 7071,
        endpoint("web-1", "10.244.0.7", true, true, false)));
    assertThat(changes.upserts()).containsExactly(new PeerEndpoint("web-1", "10.244.0.7:7071", true, false));
    assertThat(changes.removals()).isEmpty();
  }

  @Test
  void servingAndTerminatingAreTakenAsTheApiDefinesThem() {
    // publishNotReadyAddresses: ready is always true, serving says whether the pod is Ready
    var changes = view.put(slice("s", "IPv4", 17171, endpoint("web-1", "127.0.0.1", true, false, null),
        endpoint("web-2", "10.0.0.2", false, null, true)));
    assertThat(changes.upserts()).containsExactly(new PeerEndpoint("web-1", "127.0.0.1:17171", false, false),
        new PeerEndpoint("web-2", "10.0.0.2:17171", false, true));
  }

  @Test
  void ipv6AddressesAreBracketedAndAMissingPortIsTheDefault() {
    assertThat(view.put(slice("s", "IPv6", null, endpoint("web-1", "fd00::7", true, true, false))).upserts())
        .containsExactly(new PeerEndpoint("web-1", "[fd00::7]:7071", true, false));
  }

  @Test
  void onlyWhatChangedIsReportedAndAPodGoneFromEverySliceIsRemoved() {
    view.put(slice("s1", "IPv4", 7071, endpoint("a", "10.0.0.1", true, true, false),
        endpoint("b", "10.0.0.2", true, true, false)));
    var same = view.put(slice("s1", "IPv4", 7071, endpoint("a", "10.0.0.1", true, true, false),
        endpoint("b", "10.0.0.2", true, true, false)));
    assertThat(same.upserts()).isEmpty();
    assertThat(same.removals()).isEmpty();
    var bGone = view.put(slice("s1", "IPv4", 7071, endpoint("a", "10.0.0.1", true, true, false)));
    assertThat(bGone.removals()).containsExactly("b");
    assertThat(view.delete(slice("s1", "IPv4", 7071)).removals()).containsExactly("a");
  }

  @Test
  void aPodListedInTwoSlicesWhileItMovesKeepsItsBestEntryAndStaysUntilBothDropIt() {
    view.put(slice("s1", "IPv4", 7071, endpoint("a", "10.0.0.1", true, false, true)));
    var moved = view.put(slice("s2", "IPv4", 7071, endpoint("a", "10.0.0.1", true, true, false)));
    assertThat(moved.upserts()).containsExactly(new PeerEndpoint("a", "10.0.0.1:7071", true, false));
    var s2Gone = view.delete(slice("s2", "IPv4", 7071));
    assertThat(s2Gone.upserts()).containsExactly(new PeerEndpoint("a", "10.0.0.1:7071", false, true));
    assertThat(s2Gone.removals()).isEmpty();
  }

  @Test
  void aRelistRemovesWhatTheNewListLacks() {
    view.put(slice("s1", "IPv4", 7071, endpoint("a", "10.0.0.1", true, true, false)));
    view.put(slice("s2", "IPv4", 7071, endpoint("b", "10.0.0.2", true, true, false)));
    var relist = view.replaceAll(List.of(slice("s2", "IPv4", 7071, endpoint("b", "10.0.0.2", true, true, false))));
    assertThat(relist.upserts()).isEmpty();
    assertThat(relist.removals()).containsExactly("a");
  }

  @Test
  void endpointsWithoutAPodAreIgnored() {
    JsonObject s = new JsonObject("""
        {"metadata":{"name":"s"},"endpoints":[{"addresses":["10.0.0.1"],"conditions":{"ready":true}},
         {"addresses":["10.0.0.2"],"targetRef":{"kind":"Node","name":"n1"}}],"ports":[{"port":7071}]}""");
    assertThat(view.put(s).upserts()).isEmpty();
  }
}
