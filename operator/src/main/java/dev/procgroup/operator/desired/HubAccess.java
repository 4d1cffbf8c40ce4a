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
 * What a group's hub sidecars need from Kubernetes and nothing more: a ServiceAccount whose Role can only list and
 * watch the namespace's EndpointSlices (discovery, through the group's hub Service; RBAC cannot narrow a list to
 * one label, and a slice shows addresses and readiness only), and the group's peer token in a Secret when peer
 * mTLS is off.
 */
public final class HubAccess {
  public static final String DISCOVERY_API_GROUP = "discovery.k8s.io";
  public static final String ENDPOINT_SLICES = "endpointslices";
  /** What the sidecar's discovery does: one list, then watches. */
  public static final String[] SIDECAR_VERBS = {"list", "watch"};

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
            .withRules(new PolicyRuleBuilder().withApiGroups(DISCOVERY_API_GROUP).withResources(ENDPOINT_SLICES)
                .withVerbs(SIDECAR_VERBS).build())
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
