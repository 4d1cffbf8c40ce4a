package dev.procgroup.operator.desired;

import static dev.procgroup.operator.Specs.group;
import static dev.procgroup.operator.Specs.process;
import static org.assertj.core.api.Assertions.assertThat;

import dev.procgroup.api.v1alpha1.AutoscaleSpec;
import dev.procgroup.api.v1alpha1.ProcessGroup;
import dev.procgroup.api.v1alpha1.ProcessSpec;
import dev.procgroup.api.v1alpha1.ServiceSpec;
import dev.procgroup.operator.OperatorConfig.SidecarConfig;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class DesiredDeploymentTest {
  final SidecarConfig sidecar = SidecarConfig.defaults();

  ProcessGroup shop() {
    ProcessSpec web = process("web", 1, 3);
    web.setEntry(List.of("node", "server.js"));
    web.setArgv(List.of("--max-old-space-size=512"));
    web.setArgs(List.of("--port", "5511"));
    web.setEnv(List.of(Environment.value("LOG", "debug")));
    ProcessGroup pg = group("shop", process("agent", 0, 1), web);
    pg.getSpec().setEnv(List.of(Environment.value("NODE_ENV", "production"), Environment.value("LOG", "info")));
    pg.getSpec().setServices(List.of(new ServiceSpec("pageSnapshot", "web"), new ServiceSpec("other", "agent")));
    return pg;
  }

  @Test
  void deploymentIsNamedLabelledOwnedAndScaled() {
    Deployment d = DesiredDeployment.of(shop(), shop().getSpec().getProcesses().get(1), sidecar);
    assertThat(d.getMetadata().getName()).isEqualTo("shop-web");
    assertThat(d.getMetadata().getNamespace()).isEqualTo("default");
    assertThat(d.getMetadata().getLabels()).containsEntry(Labels.GROUP, "shop").containsEntry(Labels.PROCESS, "web")
        .containsEntry(Labels.ORDER, "1").containsEntry(Labels.MANAGED_BY, "procgroup-operator");
    assertThat(d.getMetadata().getOwnerReferences()).singleElement()
        .satisfies(o -> {
          assertThat(o.getKind()).isEqualTo("ProcessGroup");
          assertThat(o.getUid()).isEqualTo("uid-shop");
          assertThat(o.getController()).isTrue();
        });
    assertThat(d.getSpec().getReplicas()).isEqualTo(3);
    assertThat(d.getSpec().getSelector().getMatchLabels())
        .containsOnly(Map.entry(Labels.GROUP, "shop"), Map.entry(Labels.PROCESS, "web"));
    assertThat(d.getSpec().getTemplate().getMetadata().getLabels()).doesNotContainKey(Labels.ORDER);
  }

  @Test
  void appContainerRunsEntryArgvArgsWithMergedEnv() {
    Container app = DesiredDeployment.of(shop(), shop().getSpec().getProcesses().get(1), sidecar)
        .getSpec().getTemplate().getSpec().getContainers().get(0);
    assertThat(app.getName()).isEqualTo("web");
    assertThat(app.getImage()).isEqualTo("docker.io/procgroup/node-base:20");
    assertThat(app.getImagePullPolicy()).isEqualTo("IfNotPresent");
    assertThat(app.getCommand()).containsExactly("node", "--max-old-space-size=512", "server.js");
    assertThat(app.getArgs()).containsExactly("--port", "5511");
    Map<String, String> env = new HashMap<>();
    for (EnvVar e : app.getEnv()) env.put(e.getName(), e.getValue());
    assertThat(env).containsEntry("NODE_ENV", "production").containsEntry("LOG", "debug")
        .containsEntry("PROCGROUP_GROUP", "shop").containsEntry("PROCGROUP_PROCESS", "web")
        .containsEntry("PROCGROUP_HUB_URL", "http://127.0.0.1:7070");
    assertThat(app.getEnv()).extracting(EnvVar::getName).doesNotHaveDuplicates();
  }

  @Test
  void everyContainerIsRestrictedAndTheSidecarIsNative() {
    PodSpec pod = DesiredDeployment.of(shop(), shop().getSpec().getProcesses().get(1), sidecar)
        .getSpec().getTemplate().getSpec();
    assertThat(pod.getSecurityContext().getRunAsNonRoot()).isTrue();
    assertThat(pod.getSecurityContext().getSeccompProfile().getType()).isEqualTo("RuntimeDefault");
    assertThat(pod.getAutomountServiceAccountToken()).isFalse();
    assertThat(pod.getShareProcessNamespace()).isTrue();
    assertThat(pod.getServiceAccountName()).isEqualTo("shop-hub");
    Container hub = pod.getInitContainers().get(0);
    assertThat(hub.getName()).isEqualTo("procgroup-hub");
    assertThat(hub.getRestartPolicy()).isEqualTo("Always");
    assertThat(hub.getStartupProbe().getHttpGet().getPath()).isEqualTo("/startupz");
    assertThat(hub.getEnv()).anySatisfy(e -> {
      assertThat(e.getName()).isEqualTo("PROCGROUP_SERVICES");
      assertThat(e.getValue()).isEqualTo("pageSnapshot");
    });
    assertThat(hub.getEnv()).anySatisfy(e -> {
      assertThat(e.getName()).isEqualTo("PROCGROUP_DECLARED_SERVICES");
      assertThat(e.getValue()).isEqualTo("other=agent,pageSnapshot=web");
    });
    assertThat(hub.getVolumeMounts()).anySatisfy(m ->
        assertThat(m.getMountPath()).isEqualTo("/var/run/secrets/kubernetes.io/serviceaccount"));
    for (Container c : List.of(pod.getContainers().get(0), hub)) {
      assertThat(c.getSecurityContext().getAllowPrivilegeEscalation()).isFalse();
      assertThat(c.getSecurityContext().getReadOnlyRootFilesystem()).isTrue();
      assertThat(c.getSecurityContext().getCapabilities().getDrop()).containsExactly("ALL");
    }
  }

  /** Issue 10 part 1: the sidecar's credentials are files in its own container, and it is another user. */
  @Test
  void credentialsAreFilesInTheSidecarOnlyAndTheSidecarIsAnotherUser() {
    PodSpec pod = DesiredDeployment.of(shop(), shop().getSpec().getProcesses().get(1), sidecar)
        .getSpec().getTemplate().getSpec();
    Container app = pod.getContainers().get(0);
    Container hub = pod.getInitContainers().get(0);
    // users: the app runs as the pod's 10001, the sidecar as 10002; no pod-wide fsGroup or supplemental groups
    assertThat(pod.getSecurityContext().getRunAsUser()).isEqualTo(10001L);
    assertThat(pod.getSecurityContext().getRunAsGroup()).isEqualTo(10001L);
    assertThat(pod.getSecurityContext().getFsGroup()).isNull();
    assertThat(pod.getSecurityContext().getSupplementalGroups()).isNullOrEmpty();
    assertThat(app.getSecurityContext().getRunAsUser()).isNull();
    assertThat(hub.getSecurityContext().getRunAsUser()).isEqualTo(10002L);
    assertThat(hub.getSecurityContext().getRunAsGroup()).isEqualTo(10002L);
    assertThat(hub.getSecurityContext().getCapabilities().getAdd()).isNullOrEmpty();
    // no secret in any environment variable, of any container
    for (Container c : List.of(app, hub)) {
      assertThat(c.getEnv()).allSatisfy(e -> assertThat(e.getValueFrom() == null
          || e.getValueFrom().getSecretKeyRef() == null).as(c.getName() + " env " + e.getName()).isTrue());
      assertThat(c.getEnvFrom()).isNullOrEmpty();
    }
    // no ServiceAccount token for the pod; the sidecar's token and the peer token are volumes only it mounts
    assertThat(pod.getAutomountServiceAccountToken()).isFalse();
    assertThat(app.getVolumeMounts()).extracting(m -> m.getName()).containsExactly("tmp");
    assertThat(hub.getVolumeMounts()).extracting(m -> m.getName() + " " + m.getMountPath() + " " + m.getReadOnly())
        .containsExactlyInAnyOrder("hub-tmp /tmp null",
            "hub-api-token /var/run/secrets/kubernetes.io/serviceaccount true",
            "hub-peer-token /var/run/secrets/procgroup.dev/hub true");
    assertThat(hub.getEnv()).anySatisfy(e -> {
      assertThat(e.getName()).isEqualTo("PROCGROUP_HUB_TOKEN_FILE");
      assertThat(e.getValue()).isEqualTo("/var/run/secrets/procgroup.dev/hub/token");
    });
    var volumes = new HashMap<String, io.fabric8.kubernetes.api.model.Volume>();
    pod.getVolumes().forEach(v -> volumes.put(v.getName(), v));
    var peerToken = volumes.get("hub-peer-token").getSecret();
    assertThat(peerToken.getSecretName()).isEqualTo("shop-hub");
    assertThat(peerToken.getItems()).singleElement().satisfies(i -> assertThat(i.getKey()).isEqualTo("token"));
    assertThat(peerToken.getDefaultMode()).isEqualTo(0444);
    var apiToken = volumes.get("hub-api-token").getProjected();
    assertThat(apiToken.getDefaultMode()).isEqualTo(0444);
    assertThat(apiToken.getSources()).anySatisfy(src -> {
      assertThat(src.getServiceAccountToken().getPath()).isEqualTo("token");
      assertThat(src.getServiceAccountToken().getExpirationSeconds()).isEqualTo(3607L);
    });
  }

  /** Span export is the operator's setting (the chart's tracing.otlpEndpoint), off unless given. */
  @Test
  void theSidecarGetsTheOtlpEndpointOnlyWhenTheOperatorHasOne() {
    var process = shop().getSpec().getProcesses().get(1);
    Container off = DesiredDeployment.of(shop(), process, sidecar).getSpec().getTemplate().getSpec().getInitContainers().get(0);
    assertThat(off.getEnv()).noneSatisfy(e -> assertThat(e.getName()).isEqualTo("PROCGROUP_OTLP_ENDPOINT"));
    Container on = DesiredDeployment.of(shop(), process, sidecar.withOtlpEndpoint("http://otel-collector.obs:4318"))
        .getSpec().getTemplate().getSpec().getInitContainers().get(0);
    assertThat(on.getEnv()).anySatisfy(e -> {
      assertThat(e.getName()).isEqualTo("PROCGROUP_OTLP_ENDPOINT");
      assertThat(e.getValue()).isEqualTo("http://otel-collector.obs:4318");
    });
    assertThat(dev.procgroup.operator.OperatorConfig.fromEnvironment(Map.of("PROCGROUP_SIDECAR_OTLP_ENDPOINT",
        "http://c:4318")).sidecar().otlpEndpoint()).isEqualTo("http://c:4318");
    assertThat(dev.procgroup.operator.OperatorConfig.fromEnvironment(Map.of()).sidecar().otlpEndpoint()).isNull();
  }

  /** Issue 10 part 2: with the issuer configured, the sidecar gets its identity token and the CA, no peer token. */
  @Test
  void withPeerMtlsTheSidecarGetsAnIdentityTokenAndTheCaButNoPeerToken() {
    var identity = new dev.procgroup.operator.identity.SidecarIdentity(
        "https://procgroup-identity.procgroup-system.svc:8443/v1/certificates", "-----BEGIN CERTIFICATE-----\nx\n",
        "cluster.local");
    PodSpec pod = DesiredDeployment.of(shop(), shop().getSpec().getProcesses().get(1), sidecar.withIdentity(identity))
        .getSpec().getTemplate().getSpec();
    Container hub = pod.getInitContainers().get(0);
    Map<String, String> env = new HashMap<>();
    for (EnvVar e : hub.getEnv()) env.put(e.getName(), e.getValue());
    assertThat(env).containsEntry("PROCGROUP_IDENTITY_URL", identity.issuerUrl())
        .containsEntry("PROCGROUP_IDENTITY_CA", identity.caPem())
        .containsEntry("PROCGROUP_IDENTITY_TOKEN_FILE", "/var/run/secrets/kubernetes.io/serviceaccount/identity-token")
        .containsEntry("PROCGROUP_TRUST_DOMAIN", "cluster.local")
        .doesNotContainKey("PROCGROUP_HUB_TOKEN_FILE");
    assertThat(pod.getVolumes()).extracting(v -> v.getName()).doesNotContain("hub-peer-token");
    assertThat(hub.getVolumeMounts()).extracting(m -> m.getName()).containsExactlyInAnyOrder("hub-tmp", "hub-api-token");
    var sources = pod.getVolumes().stream().filter(v -> v.getName().equals("hub-api-token")).findFirst().orElseThrow()
        .getProjected().getSources();
    assertThat(sources).anySatisfy(src -> {
      assertThat(src.getServiceAccountToken().getPath()).isEqualTo("identity-token");
      assertThat(src.getServiceAccountToken().getAudience()).isEqualTo("procgroup-identity");
      assertThat(src.getServiceAccountToken().getExpirationSeconds()).isEqualTo(600L);
    });
    assertThat(sources).anySatisfy(src -> {
      assertThat(src.getServiceAccountToken().getPath()).isEqualTo("token");
      assertThat(src.getServiceAccountToken().getAudience()).isNull(); // the apiserver's
    });
    // the app container still gets none of it
    assertThat(pod.getContainers().get(0).getVolumeMounts()).extracting(m -> m.getName()).containsExactly("tmp");
    assertThat(pod.getContainers().get(0).getEnv()).extracting(EnvVar::getName).noneMatch(n -> n.contains("IDENTITY"));
    // and the identity is part of the template hash: a new CA rolls the pods
    var other = new dev.procgroup.operator.identity.SidecarIdentity(identity.issuerUrl(), "other", "cluster.local");
    assertThat(DesiredDeployment.of(shop(), shop().getSpec().getProcesses().get(1), sidecar.withIdentity(other))
        .getMetadata().getAnnotations().get(Labels.APPLIED_HASH)).isNotEqualTo(DesiredDeployment.of(shop(),
        shop().getSpec().getProcesses().get(1), sidecar.withIdentity(identity)).getMetadata().getAnnotations()
        .get(Labels.APPLIED_HASH));
  }

  @Test
  void sidecarCanBeSwitchedOffByTheOperatorOrTheGroup() {
    ProcessGroup pg = shop();
    PodSpec off = DesiredDeployment.of(pg, pg.getSpec().getProcesses().get(0), sidecar.disabled())
        .getSpec().getTemplate().getSpec();
    assertThat(off.getInitContainers()).isEmpty();
    assertThat(off.getShareProcessNamespace()).isNull();
    pg.getSpec().setHub(false);
    assertThat(DesiredDeployment.of(pg, pg.getSpec().getProcesses().get(0), sidecar)
        .getSpec().getTemplate().getSpec().getInitContainers()).isEmpty();
  }

  @Test
  void autoscaledProcessLeavesReplicasToTheAutoscaler() {
    ProcessGroup pg = shop();
    ProcessSpec web = pg.getSpec().getProcesses().get(1);
    web.setScale(null);
    web.setAutoscale(new AutoscaleSpec(2, 6));
    assertThat(DesiredDeployment.of(pg, web, sidecar).getSpec().getReplicas()).isNull();
    var hpa = DesiredAutoscaler.of(pg, web);
    assertThat(hpa.getSpec().getScaleTargetRef().getName()).isEqualTo("shop-web");
    assertThat(hpa.getSpec().getMinReplicas()).isEqualTo(2);
    assertThat(hpa.getSpec().getMaxReplicas()).isEqualTo(6);
    assertThat(hpa.getSpec().getMetrics().get(0).getResource().getTarget().getAverageUtilization()).isEqualTo(80);
  }

  @Test
  void restartAnnotationChangesThePodTemplateAndTheHash() {
    ProcessGroup pg = shop();
    Deployment before = DesiredDeployment.of(pg, pg.getSpec().getProcesses().get(0), sidecar);
    pg.getMetadata().setAnnotations(Map.of("procgroup.dev/restartedAt", "2026-11-21T10:00:00Z"));
    Deployment after = DesiredDeployment.of(pg, pg.getSpec().getProcesses().get(0), sidecar);
    assertThat(after.getSpec().getTemplate().getMetadata().getAnnotations())
        .containsEntry("procgroup.dev/restartedAt", "2026-11-21T10:00:00Z");
    assertThat(after.getMetadata().getAnnotations().get(Labels.APPLIED_HASH))
        .isNotEqualTo(before.getMetadata().getAnnotations().get(Labels.APPLIED_HASH));
    assertThat(DesiredDeployment.of(pg, pg.getSpec().getProcesses().get(0), sidecar).getMetadata().getAnnotations())
        .as("the hash is stable for the same input").isEqualTo(after.getMetadata().getAnnotations());
  }

  @Test
  void hubRoleOnlyListsAndWatchesEndpointSlices() {
    var rbac = HubAccess.rbac(shop());
    var role = (io.fabric8.kubernetes.api.model.rbac.Role) rbac.get(1);
    assertThat(role.getRules()).singleElement().satisfies(r -> {
      assertThat(r.getApiGroups()).containsExactly("discovery.k8s.io");
      assertThat(r.getResources()).containsExactly("endpointslices");
      assertThat(r.getVerbs()).containsExactly("list", "watch");
    });
    assertThat(HubAccess.tokenSecret(shop()).getStringData().get("token")).hasSizeGreaterThanOrEqualTo(40);
  }
}
