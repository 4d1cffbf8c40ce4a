package dev.procgroup.operator.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.fabric8.kubernetes.client.KubernetesClientException;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Invalid groups are refused by the apiserver itself (OpenAPI + CEL in the CRD), each naming the field. */
class ValidationIT extends ApiTestSupport {

  static Stream<Arguments> invalidGroups() {
    return Stream.of(
        Arguments.of("bad process name", """
            image: x:1
            processes: [{name: Web_1}]""", "spec.processes[0].name"),
        Arguments.of("duplicate process names", """
            image: x:1
            processes: [{name: web}, {name: web, order: 1}]""", "process names must be unique in spec.processes"),
        Arguments.of("negative scale", """
            image: x:1
            processes: [{name: web, scale: -1}]""", "spec.processes[0].scale"),
        Arguments.of("negative order", """
            image: x:1
            processes: [{name: web, order: -2}]""", "spec.processes[0].order"),
        Arguments.of("empty processes", """
            image: x:1
            processes: []""", "spec.processes"),
        Arguments.of("missing processes", """
            image: x:1""", "spec.processes: Required value"),
        Arguments.of("service naming an unknown process", """
            image: x:1
            processes: [{name: web}]
            services: [{name: pageSnapshot, process: background}]""",
            "spec.services: Invalid value: \"object\": spec.services[].process must name a process listed in spec.processes"),
        Arguments.of("autoscale min greater than max", """
            image: x:1
            processes: [{name: web, autoscale: {min: 5, max: 2}}]""",
            "spec.processes[0].autoscale.min: Invalid value: \"object\": autoscale.min must not be greater than autoscale.max"),
        Arguments.of("scale and autoscale together", """
            image: x:1
            processes: [{name: web, scale: 2, autoscale: {min: 1, max: 2}}]""",
            "spec.processes[0].autoscale: Invalid value: \"object\": set either scale or autoscale, not both"),
        Arguments.of("argv without entry", """
            image: x:1
            processes: [{name: web, argv: [--inspect]}]""", "spec.processes[0].argv"),
        Arguments.of("no image anywhere", """
            processes: [{name: web}]""", "spec.image"),
        Arguments.of("bad restart window", """
            image: x:1
            processes: [{name: web}]
            restart: {maxRestarts: 3, window: ten minutes}""", "spec.restart.window"),
        Arguments.of("bad pull policy", """
            image: x:1
            imagePullPolicy: Sometimes
            processes: [{name: web}]""", "spec.imagePullPolicy"),
        Arguments.of("unknown expose", """
            image: x:1
            processes: [{name: web, ports: [{containerPort: 80}], expose: NodePort}]""",
            "spec.processes[0].expose: Unsupported value: \"NodePort\""),
        Arguments.of("expose Headless without ports", """
            image: x:1
            processes: [{name: web, expose: Headless}]""",
            "spec.processes[0].ports: Required value: expose ClusterIP or Headless needs ports"),
        Arguments.of("expose ClusterIP with empty ports", """
            image: x:1
            processes: [{name: web, ports: [], expose: ClusterIP}]""",
            "spec.processes[0].ports: Required value: expose ClusterIP or Headless needs ports"),
        Arguments.of("two ports, one unnamed, exposed by default", """
            image: x:1
            processes: [{name: web, ports: [{name: http, containerPort: 80}, {containerPort: 81}]}]""",
            "spec.processes[0].ports: Required value: with more than one entry in ports every port needs a name"));
  }

  /** The Service of a process is named {@code <group>-<process>}: a DNS-1035 label of at most 63 characters. */
  static Stream<Arguments> groupsWhoseServiceNameIsInvalid() {
    return Stream.of(
        Arguments.of(repeat('g', 23), repeat('p', 40), "64 characters"),
        Arguments.of("1shop", "web", "starts with a digit"),
        Arguments.of("shop.v2", "web", "has a dot"));
  }

  @ParameterizedTest(name = "{2}: {0}-{1}")
  @MethodSource("groupsWhoseServiceNameIsInvalid")
  void apiserverRefusesAGroupWhoseServiceNameIsNoDnsLabel(String group, String process, String what) {
    KubernetesClientException e = catchThrowableOfType(KubernetesClientException.class,
        () -> client.resource(group(group, process, "ports: [{name: http, containerPort: 80}]")).create());
    assertThat(e).as(what + " must be refused").isNotNull();
    assertThat(e.getCode()).isEqualTo(422);
    System.out.printf("[refused] service name %s: %s%n", what, e.getStatus().getMessage());
    assertThat(e.getStatus().getMessage()).contains("spec.processes: Invalid value: \"object\": metadata.name + '-' + "
        + "spec.processes[].name names the process's Service (expose): it must be a DNS-1035 label (lower case "
        + "letters, digits and '-', starting with a letter) of at most 63 characters");
  }

  @Test
  void apiserverRefusesAGroupNameLongerThanALabelValue() {
    KubernetesClientException e = catchThrowableOfType(KubernetesClientException.class,
        () -> client.resource(group(repeat('g', 64), "web", "scale: 1")).create());
    assertThat(e).isNotNull();
    assertThat(e.getCode()).isEqualTo(422);
    System.out.printf("[refused] group name of 64 characters: %s%n", e.getStatus().getMessage());
    assertThat(e.getStatus().getMessage()).contains("metadata.name: Too long: may not be more than 63");
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("validGroups")
  void apiserverAcceptsWhatTheNewRulesAllow(String what, String group, String process, String processFields) {
    assertThat(client.resource(group(group, process, processFields)).create()).as(what).isNotNull();
  }

  static Stream<Arguments> validGroups() {
    return Stream.of(
        Arguments.of("a Service name of exactly 63 characters", repeat('g', 22), repeat('p', 40),
            "ports: [{name: http, containerPort: 80}]"),
        Arguments.of("a long name without ports (no Service)", repeat('g', 60), repeat('p', 40), "scale: 1"),
        Arguments.of("a long name with expose None", repeat('g', 60), repeat('p', 40),
            "ports: [{name: http, containerPort: 80}], expose: None"),
        Arguments.of("a group starting with a digit and no Service", "1shop", "web", "scale: 1"),
        Arguments.of("one unnamed port", "shop", "web", "ports: [{containerPort: 80}], expose: Headless"),
        Arguments.of("unnamed ports with expose None", "shop", "web",
            "ports: [{containerPort: 80}, {containerPort: 81}], expose: None"));
  }

  String group(String name, String process, String processFields) {
    return "apiVersion: procgroup.dev/v1alpha1\nkind: ProcessGroup\nmetadata: {name: " + name + ", namespace: " + ns
        + "}\nspec:\n  image: x:1\n  processes: [{name: " + process + ", " + processFields + "}]\n";
  }

  static String repeat(char c, int n) {
    return String.valueOf(c).repeat(n);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("invalidGroups")
  void apiserverRefusesInvalidGroupNamingTheField(String what, String spec, String expected) {
    String yaml = "apiVersion: procgroup.dev/v1alpha1\nkind: ProcessGroup\nmetadata: {name: bad, namespace: " + ns
        + "}\nspec:\n" + spec.indent(2);
    KubernetesClientException e = catchThrowableOfType(KubernetesClientException.class,
        () -> client.resource(yaml).create());
    assertThat(e).as(what + " must be refused").isNotNull();
    assertThat(e.getCode()).isEqualTo(422);
    System.out.printf("[refused] %s: %s%n", what, e.getStatus().getMessage());
    assertThat(e.getStatus().getMessage()).contains(expected);
  }
}
