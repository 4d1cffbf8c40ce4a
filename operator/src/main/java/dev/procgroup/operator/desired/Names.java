package dev.procgroup.operator.desired;

import dev.procgroup.api.v1alpha1.Reserved;

/** Names of the objects made for a group. */
public final class Names {
  public static final String HUB_CONTAINER = Reserved.HUB_CONTAINER;
  public static final String HUB_TOKEN_KEY = "token";

  private Names() {}

  /** A process's Deployment, autoscaler and Service share this name. */
  public static String process(String group, String process) { return group + "-" + process; }

  /** The group's hub Service, Secret, ServiceAccount, Role, RoleBinding and NetworkPolicy share this name. */
  public static String hub(String group) { return process(group, Reserved.HUB_NAME); }
}
