package dev.procgroup.api.build;

import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceColumnDefinition;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import dev.procgroup.api.v1alpha1.Dns1035Label;
import io.fabric8.kubernetes.api.model.apiextensions.v1.JSONSchemaProps;
import io.fabric8.kubernetes.api.model.apiextensions.v1.JSONSchemaPropsBuilder;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;

/**
 * Finishes the CRD that fabric8's generator writes, for what the generator cannot express:
 * <ul>
 *   <li>printer columns in the order {@code kubectl get} should show them (the generator sorts them by name);</li>
 *   <li>{@code spec.processes} as a map-list keyed by {@code name}, so server-side apply merges processes by
 *       name and the apiserver itself refuses duplicates;</li>
 *   <li>a maximum length for the group's name: it is the value of the {@code procgroup.dev/group} label on every
 *       object of the group, and label values have at most 63 characters. The bound also makes the Service-name
 *       rule affordable: the apiserver refuses CEL rules whose cost, estimated from maxLength, is too high.</li>
 *   <li>{@code spec.services} as a map-list keyed by {@code name} (duplicates refused);</li>
 *   <li>the validation of the parts that reuse Kubernetes' own types (env, ports, probes, resources) and of
 *       writablePaths, which annotations cannot reach: {@link ContainerRules}.</li>
 * </ul>
 * Run at build time: {@code CrdFinisher <generated.yml> <finished.yml>}.
 */
public final class CrdFinisher {
  static final List<String> COLUMN_ORDER = List.of("Ready", "Processes", "Phase", "Generation", "Observed", "Age",
      "Message");

  private CrdFinisher() {}

  public static void main(String[] args) throws IOException {
    Path in = Path.of(args[0]);
    Path out = Path.of(args[1]);
    Files.createDirectories(out.getParent());
    Files.writeString(out, finish(Files.readString(in)));
  }

  public static String finish(String generatedYaml) {
    CustomResourceDefinition crd = Serialization.unmarshal(generatedYaml, CustomResourceDefinition.class);
    crd.getSpec().getVersions().forEach(v -> {
      v.getAdditionalPrinterColumns().sort(Comparator.comparingInt(CrdFinisher::columnRank));
      Schema spec = Schema.of(v.getSchema().getOpenAPIV3Schema()).at("spec");
      Schema processes = spec.at("processes").listMap("name");
      spec.at("services").listMap("name");
      ContainerRules.env(spec.at("env"));
      ContainerRules.process(processes.items());
      limitGroupName(v.getSchema().getOpenAPIV3Schema());
    });
    return "# Generated from crds/src/main/java by the build (fabric8 CRD generator + CrdFinisher). Do not edit.\n"
        + Serialization.asYaml(crd).replaceFirst("^---\n", "");
  }

  /**
   * On the CRD's root only metadata's name and generateName may be restricted. CEL sees the bound only when the
   * schema declares all four fields it adds to the root itself (apiVersion, kind, metadata.name, .generateName).
   */
  private static void limitGroupName(JSONSchemaProps root) {
    JSONSchemaProps name = string().withMaxLength((long) Dns1035Label.MAX_LENGTH).build(); // label values' limit
    root.getProperties().put("apiVersion", string().build());
    root.getProperties().put("kind", string().build());
    root.getProperties().put("metadata", new JSONSchemaPropsBuilder().withType("object")
        .addToProperties("name", name).addToProperties("generateName", string().build()).build());
  }

  private static JSONSchemaPropsBuilder string() {
    return new JSONSchemaPropsBuilder().withType("string");
  }

  private static int columnRank(CustomResourceColumnDefinition c) {
    int i = COLUMN_ORDER.indexOf(c.getName());
    return i < 0 ? COLUMN_ORDER.size() : i;
  }
}
