package dev.procgroup.operator.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.fabric8.kubernetes.client.KubernetesClientException;
import java.util.stream.Stream;
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
            processes: [{name: web}]""", "spec.imagePullPolicy"));
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
