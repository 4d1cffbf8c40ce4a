package dev.procgroup.operator.dependent;

import dev.procgroup.api.v1alpha1.ProcessGroup;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.dependent.DependentResource;
import io.javaoperatorsdk.operator.processing.dependent.workflow.Condition;

/** The NetworkPolicy's precondition: the operator makes policies and the group has hub sidecars; else it is deleted. */
public class NetworkPolicyEnabled implements Condition<Object, ProcessGroup> {
  @Override
  public boolean isMet(DependentResource<Object, ProcessGroup> dependent, ProcessGroup pg,
      Context<ProcessGroup> context) {
    var c = context.managedWorkflowAndDependentResourceContext();
    return c.get(HubEnabled.KEY, Boolean.class).orElse(false)
        && c.get(GroupNetworkPolicy.Settings.KEY, GroupNetworkPolicy.Settings.class).isPresent();
  }
}
