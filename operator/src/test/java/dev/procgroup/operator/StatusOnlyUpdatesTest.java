package dev.procgroup.operator;

import static org.assertj.core.api.Assertions.assertThat;

import dev.procgroup.api.v1alpha1.ProcessGroup;
import dev.procgroup.api.v1alpha1.ProcessGroupStatus;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

class StatusOnlyUpdatesTest {
  final ProcessGroup older = Specs.group("g", Specs.process("web", 0, 1));

  ProcessGroup changed(Consumer<ProcessGroup> change) {
    ProcessGroup newer = Serialization.clone(older);
    newer.getMetadata().setResourceVersion("2");
    change.accept(newer);
    return newer;
  }

  @Test
  void aStatusChangeAloneIsNotReconciled() {
    ProcessGroupStatus status = new ProcessGroupStatus();
    status.setPhase("Running");
    assertThat(StatusOnlyUpdates.reconcile(changed(g -> g.setStatus(status)), older)).isFalse();
  }

  @Test
  void specLabelsAnnotationsFinalizersAndDeletionAre() {
    List<Consumer<ProcessGroup>> changes = List.of(
        g -> g.getMetadata().setGeneration(2L),
        g -> g.getMetadata().setLabels(Map.of("a", "b")),
        g -> g.getMetadata().setAnnotations(Map.of("procgroup.dev/restartedAt", "now")),
        g -> g.getMetadata().setFinalizers(List.of("procgroup.dev/finalizer")),
        g -> g.getMetadata().setDeletionTimestamp("2026-12-03T00:00:00Z"));
    for (Consumer<ProcessGroup> change : changes) {
      assertThat(StatusOnlyUpdates.reconcile(changed(change), older)).isTrue();
    }
  }
}
