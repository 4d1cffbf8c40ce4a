package dev.procgroup.operator;

import dev.procgroup.api.v1alpha1.ProcessGroup;
import dev.procgroup.api.v1alpha1.ProcessGroupSpec;
import dev.procgroup.api.v1alpha1.ProcessSpec;
import io.fabric8.kubernetes.api.model.ContainerPort;
import io.fabric8.kubernetes.api.model.ContainerPortBuilder;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import java.util.ArrayList;
import java.util.List;

/** Small builders for test specs. */
public final class Specs {
  private Specs() {}

  public static ProcessSpec process(String name, int order, int scale) {
    ProcessSpec p = new ProcessSpec();
    p.setName(name);
    p.setOrder(order);
    p.setScale(scale);
    p.setEntry(List.of("sleep", "infinity"));
    return p;
  }

  /** A container port; name may be null. */
  public static ContainerPort port(String name, int number) {
    return new ContainerPortBuilder().withName(name).withContainerPort(number).build();
  }

  public static ProcessGroup group(String name, ProcessSpec... processes) {
    ProcessGroup pg = new ProcessGroup();
    pg.setMetadata(new ObjectMetaBuilder().withName(name).withNamespace("default").withUid("uid-" + name)
        .withGeneration(1L).build());
    ProcessGroupSpec spec = new ProcessGroupSpec();
    spec.setImage("docker.io/procgroup/node-base:20");
    spec.setProcesses(new ArrayList<>(List.of(processes)));
    pg.setSpec(spec);
    return pg;
  }
}
