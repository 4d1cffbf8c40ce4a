package dev.procgroup.operator;

import static org.assertj.core.api.Assertions.assertThat;

import dev.procgroup.api.v1alpha1.ProcessGroup;
import dev.procgroup.api.v1alpha1.Reserved;
import dev.procgroup.operator.desired.Labels;
import dev.procgroup.operator.desired.Names;
import io.fabric8.kubernetes.api.model.HasMetadata;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The kubectl plugin (clients/kubectl-pg, Go) keeps its own copy of the label keys, the CRD's group, version and
 * plural, the restart annotation and the sidecar's ports in internal/rules/rules.go. This test holds that copy to the
 * Java rules it was taken from: change one and it fails until the other follows.
 */
class KubectlPgRulesTest {
  static final Path RULES_GO = Path.of("../clients/kubectl-pg/internal/rules/rules.go");

  @Test
  void theGoConstantsAreTheJavaRules() throws Exception {
    Map<String, String> go = goConstants(Files.readString(RULES_GO));
    Map<String, String> java = new HashMap<>();
    java.put("Group", ProcessGroup.GROUP);
    java.put("Version", ProcessGroup.VERSION);
    java.put("Plural", HasMetadata.getPlural(ProcessGroup.class));
    java.put("Kind", HasMetadata.getKind(ProcessGroup.class));
    java.put("RestartedAtAnnotation", ProcessGroup.RESTARTED_AT_ANNOTATION);
    java.put("GroupLabel", Labels.GROUP);
    java.put("ProcessLabel", Labels.PROCESS);
    java.put("OrderLabel", Labels.ORDER);
    java.put("HubContainer", Names.HUB_CONTAINER);
    java.put("MetricsPort", String.valueOf(Reserved.METRICS_PORT));
    java.put("PeerPort", String.valueOf(Reserved.PEER_PORT));
    java.put("HubPort", String.valueOf(Reserved.HUB_PORT));
    assertThat(go).as("constants in %s", RULES_GO).isEqualTo(java);
  }

  @Test
  void theGoDeploymentNameIsNamesProcess() throws Exception {
    String src = Files.readString(RULES_GO);
    assertThat(src).contains("func DeploymentName(group, process string) string { return group + \"-\" + process }");
    assertThat(Names.process("shop", "web")).isEqualTo("shop" + "-" + "web");
  }

  /** NAME = "value" or NAME = 123 inside the file's const block. */
  static Map<String, String> goConstants(String src) {
    int start = src.indexOf("const (");
    String block = src.substring(start, src.indexOf("\n)", start));
    Matcher m = Pattern.compile("(?m)^\\s*([A-Z]\\w*)\\s*=\\s*(?:\"([^\"]*)\"|(\\d+))\\s*$").matcher(block);
    Map<String, String> out = new HashMap<>();
    while (m.find()) out.put(m.group(1), m.group(2) != null ? m.group(2) : m.group(3));
    return out;
  }
}
