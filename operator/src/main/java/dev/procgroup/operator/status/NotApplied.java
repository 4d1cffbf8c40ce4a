package dev.procgroup.operator.status;

import java.util.List;

/**
 * Why the desired state is not in the cluster: the operator refused the spec (what the CRD cannot check), or the
 * API server refused what the operator applied. Either way the group is Failed and Degraded says why.
 *
 * @param reason  the Degraded condition's reason
 * @param message what the user reads in the condition and in status.message
 */
public record NotApplied(String reason, String message) {
  public static final String INVALID_SPEC = "InvalidSpec";
  public static final String APPLY_FAILED = "ApplyFailed";

  public static NotApplied invalidSpec(List<String> problems) {
    return new NotApplied(INVALID_SPEC, "nothing is applied until the spec is fixed: " + String.join("; ", problems));
  }

  public static NotApplied applyFailed(String apiMessage) {
    return new NotApplied(APPLY_FAILED, "the API refused the desired state: " + apiMessage);
  }
}
