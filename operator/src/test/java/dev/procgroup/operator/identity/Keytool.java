package dev.procgroup.operator.identity;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The JDK's keytool as an independent implementation in tests: it makes keys and PKCS#10 requests, and checks
 * certificate replies against their CA when importing them. Every run has a deadline.
 */
final class Keytool {
  static final String PASS = "changeit";
  final Path dir;
  final Path store;

  Keytool(Path dir) {
    this.dir = dir;
    this.store = dir.resolve("keys.p12");
  }

  static String keytool() {
    String home = System.getProperty("java.home");
    return home + File.separator + "bin" + File.separator + "keytool";
  }

  /** Runs keytool with the store's arguments; its output; fails on a non-zero exit. */
  String run(String... args) throws Exception {
    List<String> cmd = new ArrayList<>(List.of(keytool()));
    cmd.addAll(List.of(args));
    cmd.addAll(List.of("-keystore", store.toString(), "-storepass", PASS, "-storetype", "PKCS12", "-noprompt"));
    Path out = Files.createTempFile(dir, "keytool-", ".out");
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(out.toFile()).start();
    if (!p.waitFor(60, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      throw new AssertionError("keytool did not end within 60 s: " + cmd);
    }
    String text = Files.readString(out);
    if (p.exitValue() != 0) throw new KeytoolFailed(String.join(" ", args) + " -> " + text);
    return text;
  }

  static final class KeytoolFailed extends Exception {
    KeytoolFailed(String m) { super(m); }
  }

  /** A key pair under {@code alias}; EC P-256 or RSA 2048. */
  void genKey(String alias, String alg, String... extra) throws Exception {
    List<String> a = new ArrayList<>(List.of("-genkeypair", "-alias", alias, "-keyalg", alg, "-dname", "CN=" + alias,
        "-validity", "2"));
    if (alg.equals("EC")) a.addAll(List.of("-groupname", "secp256r1"));
    else a.addAll(List.of("-keysize", "2048"));
    a.addAll(List.of(extra));
    run(a.toArray(String[]::new));
  }

  String csr(String alias) throws Exception {
    Path f = dir.resolve(alias + ".csr");
    run("-certreq", "-alias", alias, "-file", f.toString());
    return Files.readString(f);
  }

  PublicKey publicKey(String alias) throws Exception {
    return load().getCertificate(alias).getPublicKey();
  }

  PrivateKey privateKey(String alias) throws Exception {
    return (PrivateKey) load().getKey(alias, PASS.toCharArray());
  }

  java.security.cert.X509Certificate certificate(String alias) throws Exception {
    return (java.security.cert.X509Certificate) load().getCertificate(alias);
  }

  private KeyStore load() throws Exception {
    KeyStore ks = KeyStore.getInstance("PKCS12");
    try (var in = Files.newInputStream(store)) {
      ks.load(in, PASS.toCharArray());
    }
    return ks;
  }

  /** Imports a PEM file: a trusted CA, or a certificate reply for {@code alias} (keytool checks the chain). */
  void importCert(String alias, String pem, boolean trustedCa) throws Exception {
    Path f = Files.createTempFile(dir, alias, ".pem");
    Files.writeString(f, pem);
    if (trustedCa) run("-importcert", "-alias", alias, "-file", f.toString(), "-trustcacerts");
    else run("-importcert", "-alias", alias, "-file", f.toString());
  }
}
