package dev.procgroup.api;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** The CRD users apply ({@code kubectl apply -f crds/}, the Helm chart) must be exactly what the classes generate. */
class CommittedCrdTest {
  static final String FILE = "procgroups.procgroup.dev-v1.yml";
  static final Path GENERATED = Path.of("target/crd", FILE);

  @Test
  void committedCrdMatchesTheClasses() throws IOException {
    assertThat(Files.readString(Path.of(FILE)))
        .as("crds/%s drifted from the Java model; run: mvn -pl crds package && cp crds/target/crd/%s crds/", FILE, FILE)
        .isEqualTo(Files.readString(GENERATED));
  }

  @Test
  void helmChartCarriesTheSameCrd() throws IOException {
    assertThat(Files.readString(Path.of("../helm/procgroup/crds", FILE)))
        .as("helm/procgroup/crds/%s drifted; run: cp crds/%s helm/procgroup/crds/", FILE, FILE)
        .isEqualTo(Files.readString(GENERATED));
  }
}
