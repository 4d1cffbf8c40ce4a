package dev.procgroup.operator.identity;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.fabric8.kubeapitest.KubeAPIServer;
import io.fabric8.kubeapitest.KubeAPIServerConfigBuilder;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.OwnerReferenceBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.ServiceAccountBuilder;
import io.fabric8.kubernetes.api.model.authentication.TokenRequestBuilder;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The issuer against a real kube-apiserver (fabric8 kube-api-test, offline, the locally built binaries): tokens are
 * real projected-style tokens from the TokenRequest API, bound to a Pod object, checked with a real TokenReview; the
 * ServiceAccount and the pod are read back through the API. No kubelet runs: the test creates the hub ServiceAccount
 * (owned by a ProcessGroup, as the operator makes it) and the Pod object itself.
 */
class IdentityIssuerIT {

  static KubeAPIServer apiServer;
  static KubernetesClient client;
  static final String NS = "shop-ns";
  @TempDir static Path dir;

  @BeforeAll
  static void start() {
    apiServer = new KubeAPIServer(KubeAPIServerConfigBuilder.anAPIServerConfig().withOfflineMode(true)
        .withUpdateKubeConfig(false).withStartupTimeout(120_000).build());
    apiServer.start();
    client = new KubernetesClientBuilder().withConfig(Config.fromKubeconfig(apiServer.getKubeConfigYaml())).build();
    client.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName(NS).endMetadata().build()).create();
    for (String sa : List.of("web-hub", "evil-hub", "default")) {
      var b = new ServiceAccountBuilder().withNewMetadata().withName(sa).withNamespace(NS);
      if (sa.equals("web-hub")) {
        b = b.withOwnerReferences(new OwnerReferenceBuilder().withApiVersion("procgroup.dev/v1alpha1")
            .withKind("ProcessGroup").withName("web").withUid("uid-web").withController(true).build());
      }
      client.resource(b.endMetadata().build()).create();
    }
  }

  @AfterAll
  static void stop() {
    if (client != null) client.close();
    if (apiServer != null) apiServer.stop();
  }

  static Pod pod(String name, String group, String serviceAccount) {
    return client.resource(new PodBuilder().withNewMetadata().withName(name).withNamespace(NS)
        .addToLabels("procgroup.dev/group", group).endMetadata()
        .withNewSpec().withServiceAccountName(serviceAccount).withAutomountServiceAccountToken(false)
        .addNewContainer().withName("app").withImage("x").endContainer().endSpec().build()).create();
  }

  static String token(String serviceAccount, Pod boundTo, String audience) {
    return client.serviceAccounts().inNamespace(NS).withName(serviceAccount).tokenRequest(new TokenRequestBuilder()
        .withNewSpec().withAudiences(audience).withExpirationSeconds(600L)
        .withNewBoundObjectRef().withApiVersion("v1").withKind("Pod").withName(boundTo.getMetadata().getName())
        .withUid(boundTo.getMetadata().getUid()).endBoundObjectRef().endSpec().build()).getStatus().getToken();
  }

  @Test
  void aGroupPodsBoundTokenGetsItsGroupsCertificateAndEveryOtherTokenIsRefused() throws Exception {
    CertificateAuthority ca = CertificateAuthority.generate("procgroup-identity", Duration.ofDays(1));
    IdentityIssuer issuer = new IdentityIssuer(ca, new IdentitySettings(dir, 0, "https://localhost/v1/certificates",
        List.of("localhost"), Duration.ofHours(24), "cluster.local"), IdentityIssuer.fabric8Reviewer(client),
        IdentityIssuer.fabric8Accounts(client), Clock.systemUTC());
    Keytool kt = new Keytool(dir);
    kt.genKey("sidecar", "EC");
    String body = new ObjectMapper().createObjectNode().put("csr", kt.csr("sidecar")).toString();

    Pod webPod = pod("web-abc", "web", "web-hub");
    IdentityIssuer.Answer ok = issuer.handle("Bearer " + token("web-hub", webPod, "procgroup-identity"), body);
    assertThat(ok.status()).as(ok.body()).isEqualTo(200);
    X509Certificate cert = CertificateAuthority.parseCertificates(new ObjectMapper().readTree(ok.body())
        .get("certificateChain").asText()).get(0);
    assertThat(cert.getSubjectAlternativeNames()).containsExactly(List.of(6, "spiffe://cluster.local/ns/" + NS + "/pg/web"));

    // the apiserver's own audience: the review for procgroup-identity refuses it
    IdentityIssuer.Answer apiAudience = issuer.handle("Bearer " + token("web-hub", webPod, "https://kubernetes.default.svc"),
        body);
    assertThat(apiAudience.status()).as(apiAudience.body()).isEqualTo(401);
    // a ServiceAccount named like a hub account but not owned by that group
    Pod evilPod = pod("evil-abc", "evil", "evil-hub");
    IdentityIssuer.Answer evil = issuer.handle("Bearer " + token("evil-hub", evilPod, "procgroup-identity"), body);
    assertThat(evil.status()).as(evil.body()).isEqualTo(403);
    assertThat(evil.body()).contains("not owned by ProcessGroup evil");
    // the hub account's token bound to a pod that is not the group's
    Pod stray = pod("stray", "other", "web-hub");
    IdentityIssuer.Answer strayAnswer = issuer.handle("Bearer " + token("web-hub", stray, "procgroup-identity"), body);
    assertThat(strayAnswer.status()).as(strayAnswer.body()).isEqualTo(403);
    // any other account
    Pod plain = pod("plain", "web", "default");
    assertThat(issuer.handle("Bearer " + token("default", plain, "procgroup-identity"), body).status()).isEqualTo(403);
    // a token whose pod is gone no longer authenticates
    String lateToken = token("web-hub", pod("web-gone", "web", "web-hub"), "procgroup-identity");
    client.pods().inNamespace(NS).withName("web-gone").withGracePeriod(0).delete();
    org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(30))
        .until(() -> client.pods().inNamespace(NS).withName("web-gone").get() == null);
    assertThat(issuer.handle("Bearer " + lateToken, body).status()).isEqualTo(401);
    assertThat(issuer.handle("Bearer not-a-token", body).status()).isEqualTo(401);
  }
}
