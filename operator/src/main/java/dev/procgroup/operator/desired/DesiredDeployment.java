package dev.procgroup.operator.desired;

import dev.procgroup.api.v1alpha1.ProcessGroup;
import dev.procgroup.api.v1alpha1.ProcessGroupSpec;
import dev.procgroup.api.v1alpha1.ProcessSpec;
import dev.procgroup.api.v1alpha1.Reserved;
import dev.procgroup.api.v1alpha1.ServiceSpec;
import dev.procgroup.operator.OperatorConfig.SidecarConfig;
import dev.procgroup.operator.identity.SidecarIdentity;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerBuilder;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.PodSecurityContext;
import io.fabric8.kubernetes.api.model.PodSecurityContextBuilder;
import io.fabric8.kubernetes.api.model.PodSpecBuilder;
import io.fabric8.kubernetes.api.model.Probe;
import io.fabric8.kubernetes.api.model.ProbeBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.ResourceRequirements;
import io.fabric8.kubernetes.api.model.ResourceRequirementsBuilder;
import io.fabric8.kubernetes.api.model.SecurityContext;
import io.fabric8.kubernetes.api.model.SecurityContextBuilder;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeBuilder;
import io.fabric8.kubernetes.api.model.VolumeMount;
import io.fabric8.kubernetes.api.model.VolumeMountBuilder;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.stream.Collectors;

/**
 * The Deployment a process should have: a pure function of the group, the process and the sidecar settings.
 * The result carries {@link Labels#APPLIED_HASH}, a hash of everything else in it, so the reconciler can tell
 * whether the cluster already runs exactly this without another API call.
 */
public final class DesiredDeployment {
  /** The app's UID and GID. */
  public static final long RUN_AS = 10001L;
  /**
   * The sidecar's own UID and GID: another user than the app, so the app cannot read the sidecar's
   * {@code /proc/<pid>/environ}, {@code /proc/<pid>/root/...} or {@code /proc/<pid>/mem} (all need ptrace access, which
   * the kernel grants across UIDs only with CAP_SYS_PTRACE, dropped here).
   */
  public static final long SIDECAR_RUN_AS = 10002L;
  static final String TMP_VOLUME = "tmp";
  static final String HUB_TMP_VOLUME = "hub-tmp";
  static final String HUB_TOKEN_VOLUME = "hub-api-token";
  static final String HUB_PEER_TOKEN_VOLUME = "hub-peer-token";
  static final String SA_TOKEN_PATH = "/var/run/secrets/kubernetes.io/serviceaccount";
  static final String HUB_PEER_TOKEN_DIR = "/var/run/secrets/procgroup.dev/hub";
  /**
   * Mode of the sidecar's credential files. Kubernetes cannot give a file to one container's UID when the containers'
   * UIDs differ: it chowns projected service account tokens to the runAsUser only when every container of the pod
   * runs as the same user, and fsGroup is pod-wide (every container, the app included, gets it as a supplementary
   * group). So the files are root-owned and readable, and what keeps them from the app is that they are mounted in
   * the sidecar's container only and the app, as another UID, cannot enter the sidecar's mount namespace through
   * {@code /proc/<pid>/root} (sidecar/SECURITY.md).
   */
  static final int CREDENTIAL_FILE_MODE = 0444;
  static final String IDENTITY_TOKEN_FILE = "identity-token";

  private DesiredDeployment() {}

  public static Deployment of(ProcessGroup pg, ProcessSpec p, SidecarConfig sidecar) {
    String group = pg.getMetadata().getName();
    ProcessGroupSpec spec = pg.getSpec();
    boolean hub = hubEnabled(pg, sidecar);
    CommandLine cmd = CommandLine.of(p);

    List<VolumeMount> appMounts = new ArrayList<>();
    List<Volume> volumes = new ArrayList<>();
    volumes.add(emptyDir(TMP_VOLUME));
    appMounts.add(mount(TMP_VOLUME, Reserved.TMP, false));
    List<String> writable = p.getWritablePaths() == null ? List.of() : p.getWritablePaths();
    for (int i = 0; i < writable.size(); i++) {
      volumes.add(emptyDir("writable-" + i));
      appMounts.add(mount("writable-" + i, writable.get(i), false));
    }

    Container app = new ContainerBuilder()
        .withName(p.getName())
        .withImage(p.getImage() != null ? p.getImage() : spec.getImage())
        .withImagePullPolicy(spec.getImagePullPolicy() != null ? spec.getImagePullPolicy() : "IfNotPresent")
        .withCommand(cmd.command())
        .withArgs(cmd.args())
        .withEnv(Environment.merge(spec.getEnv(), p.getEnv(), appEnv(group, p, hub, sidecar)))
        .withPorts(p.getPorts())
        .withReadinessProbe(p.getReadiness())
        .withLivenessProbe(p.getLiveness())
        .withStartupProbe(p.getStartup())
        .withResources(p.getResources())
        .withSecurityContext(restrictedContainer())
        .withVolumeMounts(appMounts)
        .withTerminationMessagePolicy("FallbackToLogsOnError")
        .build();

    Map<String, String> podAnnotations = new LinkedHashMap<>();
    String restartedAt = annotation(pg, ProcessGroup.RESTARTED_AT_ANNOTATION);
    if (restartedAt != null) podAnnotations.put(ProcessGroup.RESTARTED_AT_ANNOTATION, restartedAt);

    PodSpecBuilder podSpec = new PodSpecBuilder()
        .withContainers(app)
        .withSecurityContext(restrictedPod())
        .withAutomountServiceAccountToken(false)
        .withTerminationGracePeriodSeconds(p.getTerminationGracePeriodSeconds());
    if (hub) {
      volumes.add(emptyDir(HUB_TMP_VOLUME));
      volumes.add(hubApiToken(sidecar.identity() != null));
      if (sidecar.identity() == null) volumes.add(hubPeerToken(group));
      podSpec.withShareProcessNamespace(true)
          .withServiceAccountName(Names.hub(group))
          .withInitContainers(sidecarContainer(pg, p, sidecar));
      podAnnotations.put("prometheus.io/scrape", "true");
      podAnnotations.put("prometheus.io/port", String.valueOf(sidecar.metricsPort()));
      podAnnotations.put("prometheus.io/path", "/metrics");
    }
    podSpec.withVolumes(volumes);

    Map<String, String> labels = Labels.process(group, p);
    if (p.getAutoscale() != null) labels.put(Labels.AUTOSCALED, "true");

    Deployment d = new DeploymentBuilder()
        .withNewMetadata()
          .withName(Names.process(group, p.getName()))
          .withNamespace(pg.getMetadata().getNamespace())
          .withLabels(labels)
          .withOwnerReferences(Owner.of(pg))
        .endMetadata()
        .withNewSpec()
          .withReplicas(p.getAutoscale() != null ? null : (p.getScale() == null ? 1 : p.getScale()))
          .withRevisionHistoryLimit(3)
          .withNewSelector().withMatchLabels(Labels.selector(group, p.getName())).endSelector()
          .withNewTemplate()
            .withNewMetadata()
              .withLabels(Labels.pod(group, p.getName()))
              .withAnnotations(podAnnotations.isEmpty() ? null : podAnnotations)
            .endMetadata()
            .withSpec(podSpec.build())
          .endTemplate()
        .endSpec()
        .build();
    d.getMetadata().setAnnotations(Map.of(Labels.APPLIED_HASH, hash(d)));
    return d;
  }

  public static boolean hubEnabled(ProcessGroup pg, SidecarConfig sidecar) {
    return sidecar.enabled() && !Boolean.FALSE.equals(pg.getSpec().getHub());
  }

  /**
   * The variables the operator gives every app container (PROTOCOL.md "What the operator gives the sidecar"); all
   * start with {@link Reserved#ENV_PREFIX}, which the CRD refuses in the user's env.
   */
  static List<EnvVar> appEnv(String group, ProcessSpec p, boolean hub, SidecarConfig sidecar) {
    List<EnvVar> env = new ArrayList<>();
    env.add(Environment.value(Reserved.ENV_PREFIX + "GROUP", group));
    env.add(Environment.value(Reserved.ENV_PREFIX + "PROCESS", p.getName()));
    env.add(Environment.fieldRef(Reserved.ENV_PREFIX + "NAMESPACE", "metadata.namespace"));
    env.add(Environment.fieldRef(Reserved.ENV_PREFIX + "POD_NAME", "metadata.name"));
    if (hub) env.add(Environment.value(Reserved.ENV_PREFIX + "HUB_URL", "http://127.0.0.1:" + sidecar.hubPort()));
    return env;
  }

  static Container sidecarContainer(ProcessGroup pg, ProcessSpec p, SidecarConfig sidecar) {
    String group = pg.getMetadata().getName();
    List<ServiceSpec> published = pg.getSpec().getServices() == null ? List.of() : pg.getSpec().getServices().stream()
        .filter(s -> !Boolean.FALSE.equals(s.getPublish())).toList();
    String services = published.stream().filter(s -> p.getName().equals(s.getProcess()))
        .map(ServiceSpec::getName).collect(Collectors.joining(","));
    // Every sidecar gets the whole group's list: it refuses its app a service declared for another process.
    String declared = published.stream().map(s -> s.getName() + "=" + s.getProcess()).sorted()
        .collect(Collectors.joining(","));
    List<EnvVar> env = new ArrayList<>(List.of(
        Environment.value("PROCGROUP_GROUP", group),
        Environment.value("PROCGROUP_PROCESS", p.getName()),
        Environment.fieldRef("PROCGROUP_NAMESPACE", "metadata.namespace"),
        Environment.fieldRef("PROCGROUP_POD_NAME", "metadata.name"),
        Environment.fieldRef("PROCGROUP_POD_IP", "status.podIP"),
        Environment.value("PROCGROUP_SERVICES", services),
        Environment.value("PROCGROUP_HUB_SERVICE", Names.hub(group)),
        Environment.value("PROCGROUP_DECLARED_SERVICES", declared),
        Environment.value("PROCGROUP_HUB_PORT", String.valueOf(sidecar.hubPort())),
        Environment.value("PROCGROUP_PEER_PORT", String.valueOf(sidecar.peerPort())),
        Environment.value("PROCGROUP_METRICS_PORT", String.valueOf(sidecar.metricsPort()))));
    List<VolumeMount> mounts = new ArrayList<>(List.of(mount(HUB_TMP_VOLUME, Reserved.TMP, false),
        mount(HUB_TOKEN_VOLUME, SA_TOKEN_PATH, true)));
    if (sidecar.otlpEndpoint() != null) env.add(Environment.value("PROCGROUP_OTLP_ENDPOINT", sidecar.otlpEndpoint()));
    SidecarIdentity identity = sidecar.identity();
    if (identity != null) {
      // peer mTLS: a certificate from the operator's issuer, asked for with the projected identity token; the CA
      // certificate is public
      env.add(Environment.value("PROCGROUP_IDENTITY_URL", identity.issuerUrl()));
      env.add(Environment.value("PROCGROUP_IDENTITY_CA", identity.caPem()));
      env.add(Environment.value("PROCGROUP_IDENTITY_TOKEN_FILE", SA_TOKEN_PATH + "/" + IDENTITY_TOKEN_FILE));
      env.add(Environment.value("PROCGROUP_TRUST_DOMAIN", identity.trustDomain()));
    } else {
      // the peer token as a file, never an environment variable (those are in /proc/<pid>/environ)
      env.add(Environment.value("PROCGROUP_HUB_TOKEN_FILE", HUB_PEER_TOKEN_DIR + "/" + Names.HUB_TOKEN_KEY));
      mounts.add(mount(HUB_PEER_TOKEN_VOLUME, HUB_PEER_TOKEN_DIR, true));
    }
    return new ContainerBuilder()
        .withName(Names.HUB_CONTAINER)
        .withImage(sidecar.image())
        .withImagePullPolicy("IfNotPresent")
        .withRestartPolicy("Always") // a native sidecar: up before the app, down after it
        .withEnv(env)
        .addNewPort().withName(Reserved.PEER_PORT_NAME).withContainerPort(sidecar.peerPort()).withProtocol("TCP")
          .endPort()
        .addNewPort().withName(Reserved.METRICS_PORT_NAME).withContainerPort(sidecar.metricsPort()).withProtocol("TCP")
          .endPort()
        .withStartupProbe(httpProbe("/startupz", sidecar.metricsPort(), 1, 60))
        .withReadinessProbe(httpProbe("/readyz", sidecar.metricsPort(), 5, 3))
        .withLivenessProbe(httpProbe("/healthz", sidecar.metricsPort(), 10, 3))
        .withResources(sidecarResources(sidecar))
        .withSecurityContext(sidecarSecurity())
        .withVolumeMounts(mounts)
        .build();
  }

  /** Restricted, and its own user: see {@link #SIDECAR_RUN_AS}. */
  static SecurityContext sidecarSecurity() {
    SecurityContext sc = restrictedContainer();
    sc.setRunAsUser(SIDECAR_RUN_AS);
    sc.setRunAsGroup(SIDECAR_RUN_AS);
    return sc;
  }

  /** The group's peer token (Secret {@code <group>-hub}), mounted in the sidecar only. */
  static Volume hubPeerToken(String group) {
    return new VolumeBuilder().withName(HUB_PEER_TOKEN_VOLUME).withNewSecret().withSecretName(Names.hub(group))
        .addNewItem().withKey(Names.HUB_TOKEN_KEY).withPath(Names.HUB_TOKEN_KEY).endItem()
        .withDefaultMode(CREDENTIAL_FILE_MODE).endSecret().build();
  }

  /**
   * The API token goes to the sidecar only: the pod has automountServiceAccountToken off, so the app container gets
   * no Kubernetes credentials; this projected volume is mounted in the sidecar's container alone.
   */
  static Volume hubApiToken(boolean identityToken) {
    var projected = new VolumeBuilder().withName(HUB_TOKEN_VOLUME).withNewProjected()
        .withDefaultMode(CREDENTIAL_FILE_MODE)
        .addNewSource().withNewServiceAccountToken().withPath("token").withExpirationSeconds(3607L)
          .endServiceAccountToken().endSource();
    if (identityToken) {
      // for the identity issuer only (audience procgroup-identity, 10 minutes, rotated by the kubelet): useless
      // against the apiserver, and the apiserver token is useless against the issuer
      projected = projected.addNewSource().withNewServiceAccountToken().withPath(IDENTITY_TOKEN_FILE)
          .withAudience(SidecarIdentity.AUDIENCE).withExpirationSeconds(600L).endServiceAccountToken().endSource();
    }
    return projected
        .addNewSource().withNewConfigMap().withName("kube-root-ca.crt").addNewItem().withKey("ca.crt")
          .withPath("ca.crt").endItem().endConfigMap().endSource()
        .addNewSource().withNewDownwardAPI().addNewItem().withPath("namespace").withNewFieldRef()
          .withFieldPath("metadata.namespace").endFieldRef().endItem().endDownwardAPI().endSource()
        .endProjected().build();
  }

  static ResourceRequirements sidecarResources(SidecarConfig s) {
    Map<String, Quantity> requests = new LinkedHashMap<>();
    Map<String, Quantity> limits = new LinkedHashMap<>();
    if (s.cpuRequest() != null) requests.put("cpu", new Quantity(s.cpuRequest()));
    if (s.memoryRequest() != null) requests.put("memory", new Quantity(s.memoryRequest()));
    if (s.cpuLimit() != null) limits.put("cpu", new Quantity(s.cpuLimit()));
    if (s.memoryLimit() != null) limits.put("memory", new Quantity(s.memoryLimit()));
    return new ResourceRequirementsBuilder().withRequests(requests.isEmpty() ? null : requests)
        .withLimits(limits.isEmpty() ? null : limits).build();
  }

  static Probe httpProbe(String path, int port, int period, int failures) {
    return new ProbeBuilder().withNewHttpGet().withPath(path).withNewPort(port).endHttpGet()
        .withPeriodSeconds(period).withFailureThreshold(failures).withTimeoutSeconds(1).build();
  }

  /** The restricted Pod Security Standard, for every container we run. */
  public static SecurityContext restrictedContainer() {
    return new SecurityContextBuilder()
        .withAllowPrivilegeEscalation(false)
        .withReadOnlyRootFilesystem(true)
        .withRunAsNonRoot(true)
        .withNewCapabilities().withDrop("ALL").endCapabilities()
        .build();
  }

  /**
   * No fsGroup: it would be added to every container's groups and chgrp every volume, the sidecar's credentials
   * included, to it; emptyDir volumes are writable by any UID without it.
   */
  static PodSecurityContext restrictedPod() {
    return new PodSecurityContextBuilder()
        .withRunAsNonRoot(true)
        .withRunAsUser(RUN_AS)
        .withRunAsGroup(RUN_AS)
        .withNewSeccompProfile().withType("RuntimeDefault").endSeccompProfile()
        .build();
  }

  static Volume emptyDir(String name) {
    return new VolumeBuilder().withName(name).withNewEmptyDir().endEmptyDir().build();
  }

  static VolumeMount mount(String name, String path, boolean readOnly) {
    return new VolumeMountBuilder().withName(name).withMountPath(path).withReadOnly(readOnly ? true : null).build();
  }

  static String annotation(ProcessGroup pg, String key) {
    Map<String, String> a = pg.getMetadata().getAnnotations();
    return a == null ? null : a.get(key);
  }

  /** A short, stable hash of an object's JSON form. */
  public static String hash(Object o) {
    try {
      byte[] digest = MessageDigest.getInstance("SHA-256")
          .digest(Serialization.asJson(Objects.requireNonNull(o)).getBytes(StandardCharsets.UTF_8));
      return HexFormat.of().formatHex(digest, 0, 8);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
