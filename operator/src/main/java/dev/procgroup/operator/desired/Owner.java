package dev.procgroup.operator.desired;

import dev.procgroup.api.v1alpha1.ProcessGroup;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.OwnerReferenceBuilder;

/** The controller owner reference to a group: garbage collection removes what the finalizer missed. */
public final class Owner {
  private Owner() {}

  public static OwnerReference of(ProcessGroup pg) {
    return new OwnerReferenceBuilder()
        .withApiVersion(pg.getApiVersion() != null ? pg.getApiVersion() : ProcessGroup.GROUP + "/" + ProcessGroup.VERSION)
        .withKind("ProcessGroup")
        .withName(pg.getMetadata().getName())
        .withUid(pg.getMetadata().getUid())
        .withController(true)
        .withBlockOwnerDeletion(true)
        .build();
  }
}
