package dev.procgroup.operator.status;

import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.ConditionBuilder;
import java.util.List;
import java.util.Objects;

/** Kubernetes-style conditions: lastTransitionTime moves only when the status itself changes. */
public final class Conditions {
  public static final String READY = "Ready";
  public static final String PROGRESSING = "Progressing";
  public static final String DEGRADED = "Degraded";

  private Conditions() {}

  public static Condition of(List<Condition> previous, String type, boolean status, String reason, String message,
      long generation, String now) {
    String s = status ? "True" : "False";
    String since = previous == null ? now : previous.stream()
        .filter(c -> type.equals(c.getType()) && s.equals(c.getStatus()))
        .map(Condition::getLastTransitionTime).filter(Objects::nonNull).findFirst().orElse(now);
    return new ConditionBuilder().withType(type).withStatus(s).withReason(reason).withMessage(message)
        .withObservedGeneration(generation).withLastTransitionTime(since).build();
  }

  public static boolean isTrue(List<Condition> conditions, String type) {
    return conditions != null && conditions.stream().anyMatch(c -> type.equals(c.getType()) && "True".equals(c.getStatus()));
  }
}
