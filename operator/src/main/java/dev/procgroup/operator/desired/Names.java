package dev.procgroup.operator.desired;

/** Names of the objects made for a group. */
public final class Names {
  public static final String HUB_CONTAINER = "procgroup-hub";
  public static final String HUB_TOKEN_KEY = "token";

  private Names() {}

  public static String deployment(String group, String process) { return group + "-" + process; }

  /** The group's hub Secret, ServiceAccount, Role and RoleBinding share this name. */
  public static String hub(String group) { return group + "-hub"; }
}
