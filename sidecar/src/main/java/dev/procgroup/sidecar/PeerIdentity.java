package dev.procgroup.sidecar;

import java.io.ByteArrayInputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.Principal;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.cert.CertPathValidator;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.PKIXParameters;
import java.security.cert.TrustAnchor;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.X509ExtendedKeyManager;
import javax.net.ssl.X509ExtendedTrustManager;

/**
 * This sidecar's peer identity (SECURITY.md "Peer identity"): an EC P-256 key made in memory, the short-lived
 * certificate the issuer signed for it, naming the group as {@code spiffe://<trust domain>/ns/<ns>/pg/<group>}, and
 * the CA bundle. Its key manager always presents the newest certificate (rotation needs no restart: every TLS
 * handshake asks again); its trust manager accepts a peer only with a chain to the CA, valid now, whose leaf names
 * exactly this group. Both are used by the peer server (client certificates required) and the peer client.
 */
final class PeerIdentity {

  /** A key and the certificate chain signed for it. */
  record Credentials(PrivateKey key, PublicKey publicKey, X509Certificate[] chain) {
    static Credentials of(KeyPair keys, X509Certificate[] chain) {
      return new Credentials(keys.getPrivate(), keys.getPublic(), chain);
    }

    X509Certificate leaf() {
      return chain[0];
    }
  }

  private final String expectedId;
  private final Set<TrustAnchor> anchors;
  private volatile Credentials current;

  PeerIdentity(String trustDomain, String namespace, String group, List<X509Certificate> caBundle) {
    this.expectedId = spiffeId(trustDomain, namespace, group);
    if (caBundle.isEmpty()) throw new IllegalArgumentException("the identity CA bundle is empty");
    Set<TrustAnchor> a = new HashSet<>();
    for (X509Certificate c : caBundle) a.add(new TrustAnchor(c, null));
    this.anchors = Set.copyOf(a);
  }

  static String spiffeId(String trustDomain, String namespace, String group) {
    return "spiffe://" + trustDomain + "/ns/" + namespace + "/pg/" + group;
  }

  String expectedId() {
    return expectedId;
  }

  Credentials current() {
    return current;
  }

  /** Installs new credentials after checking that the certificate is for our key and names our group. */
  void install(Credentials c) throws CertificateException {
    X509Certificate leaf = c.leaf();
    if (!Arrays.equals(leaf.getPublicKey().getEncoded(), c.publicKey().getEncoded())) {
      throw new CertificateException("the issued certificate is not for our key");
    }
    validate(c.chain(), "issued");
    current = c;
  }

  static KeyPair newKey() throws GeneralSecurityException {
    KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
    g.initialize(new ECGenParameterSpec("secp256r1"));
    return g.generateKeyPair();
  }

  static List<X509Certificate> parsePem(String pem) throws CertificateException {
    CertificateFactory cf = CertificateFactory.getInstance("X.509");
    List<X509Certificate> out = new ArrayList<>();
    for (var c : cf.generateCertificates(new ByteArrayInputStream(pem.getBytes(StandardCharsets.US_ASCII)))) {
      out.add((X509Certificate) c);
    }
    return out;
  }

  /** PKIX to one of the anchors at the current time (no revocation: certificates live hours), then the group. */
  void validate(X509Certificate[] chain, String who) throws CertificateException {
    if (chain == null || chain.length == 0) throw new CertificateException(who + " presented no certificate");
    try {
      List<X509Certificate> path = new ArrayList<>(Arrays.asList(chain));
      // the CA itself may travel in the chain: PKIX wants the path without its anchor
      path.removeIf(c -> anchors.stream().anyMatch(a -> a.getTrustedCert().equals(c)));
      PKIXParameters params = new PKIXParameters(anchors);
      params.setRevocationEnabled(false);
      CertPathValidator.getInstance("PKIX").validate(CertificateFactory.getInstance("X.509").generateCertPath(path),
          params);
    } catch (GeneralSecurityException e) {
      throw new CertificateException(who + " certificate not valid under the group CA: " + e.getMessage(), e);
    }
    String id = uriSan(chain[0]);
    if (!expectedId.equals(id)) {
      throw new CertificateException(who + " certificate names " + id + ", not " + expectedId);
    }
  }

  static String uriSan(X509Certificate cert) throws CertificateException {
    Collection<List<?>> sans = cert.getSubjectAlternativeNames();
    if (sans != null) {
      for (List<?> san : sans) {
        if (Integer.valueOf(6).equals(san.get(0))) return String.valueOf(san.get(1));
      }
    }
    return null;
  }

  // ---- the JSSE view ------------------------------------------------------------------------------------------

  private static final String ALIAS = "peer";

  X509ExtendedKeyManager keyManager() {
    return new X509ExtendedKeyManager() {
      @Override public String[] getClientAliases(String keyType, Principal[] issuers) { return aliases(); }
      @Override public String chooseClientAlias(String[] keyType, Principal[] issuers, Socket socket) { return alias(); }
      @Override public String chooseEngineClientAlias(String[] keyType, Principal[] issuers, SSLEngine engine) {
        return alias();
      }
      @Override public String[] getServerAliases(String keyType, Principal[] issuers) { return aliases(); }
      @Override public String chooseServerAlias(String keyType, Principal[] issuers, Socket socket) { return alias(); }
      @Override public String chooseEngineServerAlias(String keyType, Principal[] issuers, SSLEngine engine) {
        return alias();
      }
      @Override public X509Certificate[] getCertificateChain(String alias) {
        Credentials c = current;
        return c == null ? null : c.chain().clone();
      }
      @Override public PrivateKey getPrivateKey(String alias) {
        Credentials c = current;
        return c == null ? null : c.key();
      }

      private String alias() {
        return current == null ? null : ALIAS;
      }

      private String[] aliases() {
        return current == null ? null : new String[] {ALIAS};
      }
    };
  }

  X509ExtendedTrustManager trustManager() {
    return new X509ExtendedTrustManager() {
      @Override public void checkClientTrusted(X509Certificate[] chain, String authType) throws CertificateException {
        validate(chain, "the peer's");
      }
      @Override public void checkServerTrusted(X509Certificate[] chain, String authType) throws CertificateException {
        validate(chain, "the peer's");
      }
      @Override public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket)
          throws CertificateException {
        validate(chain, "the peer's");
      }
      @Override public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket)
          throws CertificateException {
        validate(chain, "the peer's");
      }
      @Override public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
          throws CertificateException {
        validate(chain, "the peer's");
      }
      @Override public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
          throws CertificateException {
        validate(chain, "the peer's");
      }
      @Override public X509Certificate[] getAcceptedIssuers() {
        return anchors.stream().map(TrustAnchor::getTrustedCert).toArray(X509Certificate[]::new);
      }
    };
  }
}
