package dev.procgroup.operator.identity;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509TrustManager;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The issuer's port is reachable from every pod: a client that sends its request slowly must not keep its thread.
 * The JDK reads its HTTP server limits once per JVM, so the issuer runs in a JVM of its own here, started as
 * {@code main} starts it ({@link IdentityIssuer#limitJdkHttpServer} first, with a 2 s request time for the test).
 */
class IssuerSlowClientTest {

  @TempDir Path dir;

  /** The forked JVM: an issuer on any port, its port on stdout, then it waits to be killed. */
  public static void main(String[] args) throws Exception {
    IdentityIssuer.limitJdkHttpServer();
    IdentityIssuer issuer = new IdentityIssuer(CertificateAuthority.generate("t", Duration.ofDays(1)),
        new IdentitySettings(Path.of("."), 0, "https://localhost/v1/certificates", List.of("localhost"),
            Duration.ofHours(1), "cluster.local"),
        (token, audience) -> new IdentityIssuer.Review(false, null, null, "test"), null, Clock.systemUTC());
    issuer.listen();
    System.out.println("PORT " + issuer.port());
    System.out.flush();
    Thread.sleep(120_000);
  }

  @Test
  void aSlowRequestIsCutAndTheIssuerKeepsAnswering() throws Exception {
    String java = ProcessHandle.current().info().command().orElse("java");
    Path out = dir.resolve("issuer.out");
    Process p = new ProcessBuilder(java, "-Dsun.net.httpserver.maxReqTime=" + System.getProperty("issuer.maxReqTime", "2"), "-cp",
        System.getProperty("java.class.path"), IssuerSlowClientTest.class.getName())
        .redirectErrorStream(true).redirectOutput(out.toFile()).start();
    try {
      int port = 0;
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
      while (port == 0) {
        assertThat(p.isAlive()).as(Files.readString(out)).isTrue();
        assertThat(System.nanoTime()).as("issuer up within 60 s").isLessThan(deadline);
        for (String line : Files.readAllLines(out)) if (line.startsWith("PORT ")) port = Integer.parseInt(line.substring(5));
        if (port == 0) Thread.sleep(100); // polling its output for one line
      }
      // 6 slow clients (the issuer has 8 threads; the JDK does the TLS handshake on them too, so more slow clients
      // than threads would hold even the handshakes of new ones until the limit cuts the slow): TLS up, then half a
      // request line and nothing more
      List<SSLSocket> slow = new java.util.ArrayList<>();
      for (int i = 0; i < 6; i++) {
        SSLSocket s = connect(port);
        s.getOutputStream().write("POST /v1/certificates HTTP/1.1\r\nHost: x\r\n".getBytes(StandardCharsets.US_ASCII));
        s.getOutputStream().flush();
        slow.add(s);
      }
      // a well-formed request is still answered (401 here: the fake review refuses every token)
      SSLSocket ok = connect(port);
      ok.getOutputStream().write(("POST /v1/certificates HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer x\r\n"
          + "Content-Length: 2\r\nConnection: close\r\n\r\n{}").getBytes(StandardCharsets.US_ASCII));
      ok.getOutputStream().flush();
      String answer = new String(ok.getInputStream().readAllBytes(), StandardCharsets.ISO_8859_1);
      assertThat(answer).startsWith("HTTP/1.1 401");
      ok.close();
      // and every slow one is closed by the issuer within the request time (2 s) plus the JDK's timer period
      long start = System.nanoTime();
      for (SSLSocket s : slow) {
        s.setSoTimeout(15_000);
        InputStream in = s.getInputStream();
        int r;
        try {
          r = in.read();
        } catch (java.net.SocketTimeoutException e) {
          r = -2; // still open after 15 s
        } catch (java.io.IOException e) {
          r = -1; // reset: closed as well
        }
        assertThat(r).as("the slow client's connection is closed").isEqualTo(-1);
        s.close();
      }
      assertThat(TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - start)).isLessThan(14);
    } finally {
      p.destroyForcibly();
      p.waitFor(10, TimeUnit.SECONDS);
    }
  }

  static SSLSocket connect(int port) throws Exception {
    SSLContext ctx = SSLContext.getInstance("TLS");
    ctx.init(null, new TrustManager[] {new X509TrustManager() {
      @Override public void checkClientTrusted(X509Certificate[] c, String a) { }
      @Override public void checkServerTrusted(X509Certificate[] c, String a) { }
      @Override public X509Certificate[] getAcceptedIssuers() { return new X509Certificate[0]; }
    }}, null);
    Socket raw = new Socket();
    raw.connect(new InetSocketAddress("127.0.0.1", port), 5000);
    SSLSocket s = (SSLSocket) ctx.getSocketFactory().createSocket(raw, "localhost", port, true);
    s.setSoTimeout(15_000);
    s.startHandshake();
    return s;
  }
}
