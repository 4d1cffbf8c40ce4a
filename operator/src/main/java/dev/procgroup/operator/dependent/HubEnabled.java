package dev.procgroup.operator.dependent;

import dev.procgroup.api.v1alpha1.ProcessGroup;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.dependent.DependentResource;
import io.javaoperatorsdk.operator.processing.dependent.workflow.Condition;

/**
 * The hub RBAC objects' precondition: the group has hub sidecars. The reconciler decides it (it holds the
 * operator's sidecar configuration) and leaves the answer in the workflow's context; when false, the objects are
 * deleted.
 */
public class HubEnabled implements Condition<Object, ProcessGroup> {
  public static final String KEY = "procgroup.hubEnabled";

  public static void set(Context<ProcessGroup> context, boolean enabled) {
    context.managedWorkflowAndDependentResourceContext().put(KEY, enabled);
  }

  @Override
  public boolean isMet(DependentResource<Object, ProcessGroup> dependent, ProcessGroup pg,
      Context<ProcessGroup> context) {
    return context.managedWorkflowAndDependentResourceContext().get(KEY, Boolean.class).orElse(false);
  }
}
