package dev.procgroup.operator.desired;

import dev.procgroup.api.v1alpha1.ProcessGroup;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.api.model.ServiceAccountBuilder;
import io.fabric8.kubernetes.api.model.rbac.PolicyRuleBuilder;
import io.fabric8.kubernetes.api.model.rbac.RoleBindingBuilder;
import io.fabric8.kubernetes.api.model.rbac.RoleBuilder;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.List;
import java.util.Map;

/**
 * What a group's hub sidecars need from Kubernetes and nothing more: a ServiceAccount whose Role can only read
 * the namespace's pods (discovery), and the group's peer token in a Secret.
 */
public final class HubAccess {
  private static final SecureRandom RANDOM = new SecureRandom();

  private HubAccess() {}

  /** ServiceAccount, Role and RoleBinding, applied on every change of the group. */
  public static List<HasMetadata> rbac(ProcessGroup pg) {
    String name = Names.hub(pg.getMetadata().getName());
    String ns = pg.getMetadata().getNamespace();
    Map<String, String> labels = Labels.owned(pg.getMetadata().getName());
    return List.of(
        new ServiceAccountBuilder().withNewMetadata().withName(name).withNamespace(ns).withLabels(labels)
            .withOwnerReferences(Owner.of(pg)).endMetadata().withAutomountServiceAccountToken(false).build(),
        new RoleBuilder().withNewMetadata().withName(name).withNamespace(ns).withLabels(labels)
            .withOwnerReferences(Owner.of(pg)).endMetadata()
            .withRules(new PolicyRuleBuilder().withApiGroups("").withResources("pods")
                .withVerbs("get", "list", "watch").build())
            .build(),
        new RoleBindingBuilder().withNewMetadata().withName(name).withNamespace(ns).withLabels(labels)
            .withOwnerReferences(Owner.of(pg)).endMetadata()
            .withNewRoleRef().withApiGroup("rbac.authorization.k8s.io").withKind("Role").withName(name).endRoleRef()
            .addNewSubject().withKind("ServiceAccount").withName(name).withNamespace(ns).endSubject()
            .build());
  }

  /** The peer token Secret, created once with a fresh random token and never rewritten. */
  public static Secret tokenSecret(ProcessGroup pg) {
    byte[] token = new byte[32];
    RANDOM.nextBytes(token);
    return new SecretBuilder()
        .withNewMetadata().withName(Names.hub(pg.getMetadata().getName()))
          .withNamespace(pg.getMetadata().getNamespace())
          .withLabels(Labels.owned(pg.getMetadata().getName()))
          .withOwnerReferences(Owner.of(pg))
        .endMetadata()
        .withType("Opaque")
        .withStringData(Map.of(Names.HUB_TOKEN_KEY, Base64.getUrlEncoder().withoutPadding().encodeToString(token)))
        .build();
  }
}
