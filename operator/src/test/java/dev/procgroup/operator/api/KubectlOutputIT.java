package dev.procgroup.operator.api;

import static dev.procgroup.operator.Specs.group;
import static dev.procgroup.operator.Specs.process;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** What a user sees with kubectl: the printer columns and `kubectl explain`, from the real apiserver. */
class KubectlOutputIT extends ApiTestSupport {
  static final Path OUTPUT = Path.of("target/kubectl-output.txt");

  @Test
  void getShowsReadyProcessesPhaseAndAgeAndExplainShowsFieldDocs() throws Exception {
    create(group("shop", process("agent", 0, 1), process("web", 1, 2)));
    awaitPhase("shop", "Running");
    String get = kubectl("get", "procgroups", "-n", ns);
    String wide = kubectl("get", "pg", "-n", ns, "-o", "wide");
    String explain = kubectl("explain", "procgroup.spec.processes");
    Files.writeString(OUTPUT, "$ kubectl get procgroups\n" + get + "\n$ kubectl get pg -o wide\n" + wide
        + "\n$ kubectl explain procgroup.spec.processes\n" + explain, StandardCharsets.UTF_8);
    System.out.println(Files.readString(OUTPUT));
    assertThat(get.lines().findFirst().orElseThrow())
        .matches("NAME\\s+READY\\s+PROCESSES\\s+PHASE\\s+GENERATION\\s+OBSERVED\\s+AGE");
    assertThat(get).containsPattern("shop\\s+3/3\\s+2/2\\s+Running\\s+1\\s+1\\s+\\d+s");
    assertThat(wide.lines().findFirst().orElseThrow()).contains("MESSAGE");
    assertThat(explain).contains("Start order (Pandora's .order())").contains("scale").contains("argv")
        .contains("DNS-1123").contains("expose");
    assertThat(explain.replaceAll("\\s+", " ")).as("explain wraps lines").contains("<group>-<process>")
        .contains("selecting only the Ready pods of this process");
  }

  static String kubectl(String... args) throws IOException, InterruptedException {
    List<String> cmd = new ArrayList<>();
    cmd.add(kubectlBinary());
    cmd.add("--kubeconfig=" + cluster.kubeconfig);
    cmd.addAll(List.of(args));
    BoundedProcess.Result r = BoundedProcess.run(Duration.ofSeconds(30), null, cmd);
    assertThat(r.exitCode()).as("kubectl %s: %s", String.join(" ", args), r.out()).isZero();
    return r.out();
  }

  static String kubectlBinary() throws IOException {
    try (var dirs = Files.list(Path.of(System.getProperty("user.home"), ".kubeapitest", "k8s"))) {
      return dirs.map(d -> d.resolve("kubectl")).filter(Files::isExecutable).findFirst()
          .orElseThrow(() -> new IllegalStateException("no kubectl under ~/.kubeapitest/k8s: run e2e/cluster/build-binaries.sh"))
          .toString();
    }
  }
}
