package dev.procgroup.operator.desired;

import static org.assertj.core.api.Assertions.assertThat;

import dev.procgroup.api.v1alpha1.ProcessGroup;
import dev.procgroup.api.v1alpha1.ProcessGroupSpec;
import dev.procgroup.api.v1alpha1.ProcessSpec;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.Service;
import java.util.Map;
import org.junit.jupiter.api.Test;

class DesiredHubServiceTest {

  private static ProcessGroup group(String name, String... processes) {
    ProcessGroup pg = new ProcessGroup();
    pg.setMetadata(new ObjectMetaBuilder().withName(name).withNamespace("ns").withUid("u-1").build());
    ProcessGroupSpec spec = new ProcessGroupSpec();
    spec.setImage("x:1");
    spec.setProcesses(java.util.Arrays.stream(processes).map(p -> {
      ProcessSpec s = new ProcessSpec();
      s.setName(p);
      return s;
    }).toList());
    pg.setSpec(spec);
    return pg;
  }

  @Test
  void aHeadlessServiceOverEveryPodOfTheGroupReadyOrNot() {
    Service s = DesiredHubService.of(group("shop", "web", "worker"));
    assertThat(s.getMetadata().getName()).isEqualTo("shop-hub");
    assertThat(s.getMetadata().getNamespace()).isEqualTo("ns");
    assertThat(s.getSpec().getClusterIP()).isEqualTo("None");
    assertThat(s.getSpec().getPublishNotReadyAddresses()).isTrue();
    assertThat(s.getSpec().getSelector()).isEqualTo(Map.of("procgroup.dev/group", "shop",
        "app.kubernetes.io/managed-by", "procgroup-operator"));
    assertThat(s.getSpec().getPorts()).singleElement().satisfies(p -> {
      assertThat(p.getName()).isEqualTo("hub-peer");
      assertThat(p.getTargetPort().getStrVal()).as("the port each pod names, whatever its number").isEqualTo("hub-peer");
    });
    assertThat(s.getMetadata().getOwnerReferences()).singleElement().satisfies(o -> {
      assertThat(o.getKind()).isEqualTo("ProcessGroup");
      assertThat(o.getName()).isEqualTo("shop");
    });
  }

  @Test
  void itSelectsThePodsOfEveryProcessAndIsNoProcesssService() {
    ProcessGroup pg = group("shop", "web", "worker");
    Service s = DesiredHubService.of(pg);
    for (ProcessSpec p : pg.getSpec().getProcesses()) {
      assertThat(Labels.pod("shop", p.getName())).containsAllEntriesOf(s.getSpec().getSelector());
    }
    assertThat(Labels.pod("other", "web")).doesNotContainEntry("procgroup.dev/group", "shop");
    assertThat(s.getMetadata().getLabels()).doesNotContainKey(Labels.PROCESS)
        .containsEntry("app.kubernetes.io/component", "hub");
  }
}
