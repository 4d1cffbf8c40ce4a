package dev.procgroup.operator.identity;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.procgroup.operator.OperatorConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The chart's PROCGROUP_IDENTITY_* variables, and what they make of the sidecar settings. */
class IdentitySettingsTest {

  @TempDir Path dir;

  Map<String, String> env() throws Exception {
    Files.writeString(dir.resolve("tls.crt"), "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n");
    Map<String, String> env = new HashMap<>();
    env.put("PROCGROUP_IDENTITY_ENABLED", "true");
    env.put("PROCGROUP_IDENTITY_URL", "https://pg-identity.procgroup-system.svc:8443/v1/certificates");
    env.put("PROCGROUP_IDENTITY_CA_DIR", dir.toString());
    return env;
  }

  @Test
  void offUnlessEnabledAndThenTheSidecarsGetTheUrlAndTheCa() throws Exception {
    assertThat(IdentitySettings.fromEnvironment(Map.of())).isNull();
    assertThat(OperatorConfig.fromEnvironment(Map.of()).sidecar().identity()).isNull();
    IdentitySettings s = IdentitySettings.fromEnvironment(env());
    assertThat(s.port()).isEqualTo(8443);
    assertThat(s.dnsNames()).containsExactly("pg-identity.procgroup-system.svc");
    assertThat(s.certTtl()).isEqualTo(Duration.ofHours(24));
    assertThat(s.trustDomain()).isEqualTo("cluster.local");
    SidecarIdentity forSidecars = OperatorConfig.fromEnvironment(env()).sidecar().identity();
    assertThat(forSidecars.issuerUrl()).isEqualTo("https://pg-identity.procgroup-system.svc:8443/v1/certificates");
    assertThat(forSidecars.caPem()).startsWith("-----BEGIN CERTIFICATE-----");
    assertThat(OperatorConfig.fromEnvironment(env()).sidecar().disabled().identity()).isEqualTo(forSidecars);
  }

  @Test
  void badSettingsAreRefusedWithTheVariablesName() throws Exception {
    Map<String, String> e = env();
    e.put("PROCGROUP_IDENTITY_URL", "http://plain");
    assertThatThrownBy(() -> IdentitySettings.fromEnvironment(e)).hasMessageContaining("PROCGROUP_IDENTITY_URL");
    Map<String, String> ttl = env();
    ttl.put("PROCGROUP_IDENTITY_CERT_TTL", "90s");
    assertThatThrownBy(() -> IdentitySettings.fromEnvironment(ttl)).hasMessageContaining("at least 2m");
    Map<String, String> noCa = env();
    noCa.remove("PROCGROUP_IDENTITY_CA_DIR");
    assertThatThrownBy(() -> IdentitySettings.fromEnvironment(noCa)).hasMessageContaining("PROCGROUP_IDENTITY_CA_DIR");
    Map<String, String> names = env();
    names.put("PROCGROUP_IDENTITY_DNS_NAMES", "a.svc, b.svc.cluster.local");
    assertThat(IdentitySettings.fromEnvironment(names).dnsNames()).isEqualTo(List.of("a.svc", "b.svc.cluster.local"));
  }
}
