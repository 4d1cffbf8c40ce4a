package dev.procgroup.sidecar;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

class PodInfoTest {

  private static JsonObject pod(String ip, boolean hubReady, String statusKey) {
    return new JsonObject("""
        {"metadata":{"name":"shop-bg-1","labels":{"procgroup.dev/group":"shop","procgroup.dev/process":"background"},
                     "annotations":{"procgroup.dev/peer-address":"127.0.0.1:17171"}},
         "status":{"podIP":%s,
                   "%s":[{"name":"procgroup-hub","ready":%s,"restartCount":0}],
                   "containerStatuses":[{"name":"background","ready":true,"restartCount":3}]}}
        """.formatted(ip == null ? "null" : "\"" + ip + "\"", statusKey, hubReady));
  }

  @Test
  void aNativeSidecarReadyInInitContainerStatusesMakesAPeer() {
    PodInfo p = PodInfo.fromJson(pod("10.244.0.7", true, "initContainerStatuses"), 7071, false);
    assertThat(p.name()).isEqualTo("shop-bg-1");
    assertThat(p.process()).isEqualTo("background");
    assertThat(p.peerAddress()).isEqualTo("10.244.0.7:7071");
    assertThat(p.hubReady()).isTrue();
    assertThat(p.restartsOf("background")).isEqualTo(3);
  }

  @Test
  void anUnreadyHubOrAMissingIpIsNotAPeer() {
    assertThat(PodInfo.fromJson(pod("10.244.0.7", false, "initContainerStatuses"), 7071, false).hubReady()).isFalse();
    PodInfo noIp = PodInfo.fromJson(pod(null, true, "initContainerStatuses"), 7071, false);
    assertThat(noIp.hubReady()).isFalse();
    assertThat(noIp.peerAddress()).isNull();
  }

  @Test
  void aHubInPlainContainerStatusesCountsToo() {
    assertThat(PodInfo.fromJson(pod("10.0.0.1", true, "containerStatuses_x"), 7071, false).hubReady()).isFalse();
    JsonObject plain = new JsonObject("""
        {"metadata":{"name":"p"},"status":{"podIP":"10.0.0.1","containerStatuses":[{"name":"procgroup-hub","ready":true}]}}""");
    assertThat(PodInfo.fromJson(plain, 7071, false).hubReady()).isTrue();
  }

  @Test
  void thePeerAddressAnnotationIsHonouredOnlyWhenAllowed() {
    assertThat(PodInfo.fromJson(pod("127.0.0.1", true, "initContainerStatuses"), 7071, false).peerAddress())
        .isEqualTo("127.0.0.1:7071");
    assertThat(PodInfo.fromJson(pod("127.0.0.1", true, "initContainerStatuses"), 7071, true).peerAddress())
        .isEqualTo("127.0.0.1:17171");
  }

  @Test
  void ipv6AddressesAreBracketed() {
    assertThat(PodInfo.fromJson(pod("fd00::7", true, "initContainerStatuses"), 7071, false).peerAddress())
        .isEqualTo("[fd00::7]:7071");
  }

  @Test
  void aTerminatingPodIsMarked() {
    JsonObject p = pod("10.0.0.1", true, "initContainerStatuses");
    p.getJsonObject("metadata").put("deletionTimestamp", "2026-01-01T00:00:00Z");
    assertThat(PodInfo.fromJson(p, 7071, false).terminating()).isTrue();
  }
}
