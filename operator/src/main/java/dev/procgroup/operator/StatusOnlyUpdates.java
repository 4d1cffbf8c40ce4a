package dev.procgroup.operator;

import dev.procgroup.api.v1alpha1.ProcessGroup;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import java.util.Objects;

/**
 * Which updates of a group wake its reconciler: all but those that changed the status alone. The operator writes
 * the status itself (about five patches per group on the way to Running), and each came back as an event that
 * reconciled the group again from the same state. A spec change moves the generation; labels, annotations
 * ({@code procgroup.dev/restartedAt}), finalizers and a deletion are the other changes that matter.
 */
final class StatusOnlyUpdates {
  private StatusOnlyUpdates() {}

  /** The JOSDK update filter: true when the update should be reconciled. */
  static boolean reconcile(ProcessGroup newer, ProcessGroup older) {
    return older == null || !onlyStatusChanged(older.getMetadata(), newer.getMetadata());
  }

  static boolean onlyStatusChanged(ObjectMeta older, ObjectMeta newer) {
    return Objects.equals(older.getGeneration(), newer.getGeneration())
        && Objects.equals(older.getLabels(), newer.getLabels())
        && Objects.equals(older.getAnnotations(), newer.getAnnotations())
        && Objects.equals(older.getFinalizers(), newer.getFinalizers())
        && Objects.equals(older.getDeletionTimestamp(), newer.getDeletionTimestamp())
        && Objects.equals(older.getOwnerReferences(), newer.getOwnerReferences());
  }
}
